"""The chair's health rules: chair_vacant and chair_term_ending (DESIGN.md)."""

from govtrack.chairs.services import term_ending, vacancy
from govtrack.health.rules import Rule


def chair_vacant(committee, as_of):
    """No chair term holds on the as-of date."""
    found = vacancy(committee, as_of)
    return found.since if found else None


def chair_term_ending(committee, as_of):
    """The chair's term ends within 60 days and no successor is recorded."""
    found = term_ending(committee, as_of)
    return found.since if found else None


RULES = (
    Rule("committee", "chair_vacant", "The chair is vacant", chair_vacant),
    Rule("committee", "chair_term_ending",
         "The chair's term ends soon and no successor is named", chair_term_ending),
)
