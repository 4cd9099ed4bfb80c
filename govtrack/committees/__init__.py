"""Committees, their memberships and their collaboration stage."""
