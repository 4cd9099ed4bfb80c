"""Workgroups, goals, milestones and stalled-work detection."""
