"""The audit log: every write, who made it, when, and the record before and after. Append-only."""
