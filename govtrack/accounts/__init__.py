"""Accounts, log-in sessions and the login throttle."""
