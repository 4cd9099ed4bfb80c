"""The chair's health rules: chair_vacant and chair_term_ending (DESIGN.md)."""

from govtrack.chairs.services import term_ending, vacancy
from govtrack.health.services import Flag, rule


@rule("committee")
def chair_vacant(committee, as_of):
    """No chair term holds on the as-of date."""
    found = vacancy(committee, as_of)
    return [Flag("chair_vacant", found.since)] if found else []


@rule("committee")
def chair_term_ending(committee, as_of):
    """The chair's term ends within 60 days and no successor is recorded."""
    found = term_ending(committee, as_of)
    return [Flag("chair_term_ending", found.since)] if found else []
