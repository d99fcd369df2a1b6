"""Two-in-a-box decisions: five-factor trade-offs, joint sign-off, time-boxed escalation."""
