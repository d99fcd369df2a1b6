"""Notifications through Apprise, from a transactional outbox: written with the change, sent exactly once."""
