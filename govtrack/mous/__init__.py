"""Memoranda of understanding: drafting, versions, signatures by agency heads."""
