"""Accounts: users and their roles, sign-in sessions, personal API tokens and set-password links."""
