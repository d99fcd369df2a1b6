"""Overlap and one team: rituals from real calendars, who attends them, and how teams hold together under pressure."""
