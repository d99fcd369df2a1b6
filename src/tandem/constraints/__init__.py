"""The constraints board: people expose their own constraints, the counterpart lead acknowledges, both resolve."""
