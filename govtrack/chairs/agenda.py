"""The chair's agenda source: choosing or confirming the next chair."""


from govtrack.chairs.health import succession_of
from govtrack.chairs.services import term_ending, vacancy
from govtrack.meetings.agenda_sources import AgendaSource, Draft, Proposed


def _chair_handover(draft: Draft) -> list[Proposed]:
    day = draft.day
    committee = succession_of(draft.meeting.committee)
    if vacancy(committee, day):
        return [Proposed("chair-vacant", "Choose the next chair", "decision", 15,
                         why="The chair is vacant.")]
    ending = term_ending(committee, day)
    if ending:
        return [Proposed("chair-handover", "Confirm the next chair", "decision", 10,
                         why=f"The chair's term ends on {ending.term.planned_end:%-d %B %Y}.")]
    return []


AGENDA_SOURCES = (AgendaSource("Chair rotation due or the chair vacant", _chair_handover),)
