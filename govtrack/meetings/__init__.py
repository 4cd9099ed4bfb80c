"""Meetings: cadence, agenda, attendance, minutes, Word and calendar exports."""
