"""The agenda as a Word document."""

from govtrack.documents.common import (
    add_table,
    format_time,
    heading_block,
    item_starts,
    new_document,
    person_label,
    to_bytes,
)
from govtrack.meetings.links import links_of
from govtrack.meetings.models import ITEM_KINDS


def agenda_docx(meeting) -> bytes:
    """The meeting's agenda: when and where, the timed items with presenters, the total time."""
    draft = meeting.agenda_status != "published"
    doc = new_document(meeting, "Draft agenda" if draft else "Agenda")
    heading_block(doc, meeting, "Draft agenda" if draft else "Agenda")
    links = links_of(meeting.committee, meeting.items)
    rows = [[format_time(start), str(item.minutes),
             "\n".join([item.title, *map(str, links[item.id])]),
             ITEM_KINDS.get(item.kind, item.kind), person_label(item.presenter)]
            for item, start in item_starts(meeting)]
    if rows:
        add_table(doc, ["Start", "Minutes", "Item", "Kind", "Presenter"], rows)
    else:
        doc.add_paragraph("No items yet.")
    total, available = meeting.agenda_minutes, meeting.duration_minutes
    summary = f"Total time: {total} minutes of the meeting's {available}."
    if total > available:
        summary += f" The agenda runs {total - available} minutes over."
    doc.add_paragraph(summary)
    return to_bytes(doc)
