"""The agenda as a Word document."""

from govtrack.agencies.models import SIDES
from govtrack.documents.common import (
    add_table,
    clean,
    format_time,
    heading_block,
    item_starts,
    new_document,
    person_label,
    set_widths,
    to_bytes,
)
from govtrack.meetings.links import links_of
from govtrack.meetings.models import ITEM_KINDS

#: column widths in inches: number, start, minutes, item, kind, presenter (6.5 in. of text)
COLUMNS = [0.45, 0.6, 0.7, 2.5, 0.95, 1.3]


def quorum_rule_statement(meeting) -> str:
    """What makes a quorum at this committee's meetings, in words."""
    rule = meeting.committee.quorum_rule
    if rule is None:
        return "Quorum: a majority of the members present or represented."
    words = f"Quorum: {rule.min_present} members present or represented"
    if rule.required_sides:
        words += ", including " + " and ".join(SIDES[s].lower() for s in rule.required_sides)
    return words + "."


def agenda_docx(meeting) -> bytes:
    """The meeting's agenda: when and where, the timed items with presenters, the total time."""
    draft = meeting.agenda_status != "published"
    doc = new_document(meeting, "Draft agenda" if draft else "Agenda")
    heading_block(doc, meeting, "Draft agenda" if draft else "Agenda")
    doc.add_paragraph(clean(quorum_rule_statement(meeting)))
    links = links_of(meeting.committee, meeting.items)
    rows = [[f"{number}.", format_time(start), str(item.minutes),
             "\n".join([item.title, *map(str, links[item.id])]),
             ITEM_KINDS.get(item.kind, item.kind), person_label(item.presenter)]
            for number, (item, start) in enumerate(item_starts(meeting), start=1)]
    if rows:
        table = add_table(doc, ["No.", "Start", "Minutes", "Item", "Kind", "Presenter"], rows)
        set_widths(table, COLUMNS)
    else:
        doc.add_paragraph("No items yet.")
    total, available = meeting.agenda_minutes, meeting.duration_minutes
    summary = f"Total time: {total} minutes of the meeting's {available}."
    if total > available:
        summary += f" The agenda runs {total - available} minutes over."
    doc.add_paragraph(summary)
    return to_bytes(doc)
