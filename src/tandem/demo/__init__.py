"""A synthetic demo organisation with known structural problems, for trying Tandem without real HR data."""
