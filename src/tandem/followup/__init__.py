"""Follow-through: each walk saved as a snapshot, findings turned into actions, and the next walk compared."""
