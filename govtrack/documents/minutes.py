"""The minutes as a Word document."""

import re

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from govtrack.actions.models import STATUSES, ActionItem
from govtrack.agencies.models import Person
from govtrack.documents.common import (
    Writer,
    add_table,
    clean,
    format_day,
    heading_block,
    labelled,
    new_document,
    on_committee_clock,
    person_label,
    to_bytes,
)
from govtrack.extensions import db
from govtrack.meetings.links import links_of
from govtrack.meetings.models import ITEM_KINDS
from govtrack.meetings.services import approval_motion, meeting_day, quorum

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_QUOTE = re.compile(r"^\s{0,3}>\s?")
_BULLET = re.compile(r"^\s*[-*+]\s+")
_NUMBERED = re.compile(r"^\s*\d{1,9}[.)]\s+")
_IMAGE_OR_LINK = re.compile(r"!?\[([^\]\n]*)\]\(([^)\s]*)\)")
_EMPHASIS = re.compile(r"\*\*|__|`")


_BOLD = re.compile(r"(\*\*|__)(.+?)\1")


def _inline(text: str) -> str:
    """Links become "text (address)"; code marks go; bold marks stay for _runs."""
    text = _IMAGE_OR_LINK.sub(lambda m: f"{m[1]} ({m[2]})" if m[2] else m[1], text)
    return text.replace("`", "")


def _runs(paragraph, text: str, bold: bool = False):
    """Text into runs: **bold** and __bold__ become bold runs, the marks go.

    paragraph None (the document is full, see Writer) takes nothing.
    """
    if paragraph is None:
        return None
    at = 0
    for match in _BOLD.finditer(text):
        if match.start() > at:
            paragraph.add_run(_EMPHASIS.sub("", text[at:match.start()])).bold = bold or None
        paragraph.add_run(_EMPHASIS.sub("", match[2])).bold = True
        at = match.end()
    if at < len(text):
        paragraph.add_run(_EMPHASIS.sub("", text[at:])).bold = bold or None
    return paragraph


def _line(line: str) -> tuple[str | None, str]:
    """The paragraph style a Markdown line asks for (None: running text), and its text."""
    line = _QUOTE.sub("", line)
    for pattern, style in ((_BULLET, "List Bullet"), (_NUMBERED, "List Number"),
                           (_HEADING, "heading")):
        if pattern.match(line):
            return style, _inline(pattern.sub("", line))
    return None, _inline(line.strip())


def markdown_paragraphs(doc, text: str) -> None:
    """Markdown notes as plain paragraphs: list lines as list items, nothing read as HTML.

    doc is a Writer (or a document, wrapped in one here).
    """
    out = doc if isinstance(doc, Writer) else Writer(doc)
    for block in re.split(r"\n[ \t]*\n", clean(text).replace("\r\n", "\n").strip()):
        running: list[str] = []
        for style, line in map(_line, block.split("\n")):
            if style is None:
                if line:
                    running.append(line)
                continue
            if running:  # a list item or a heading ends the running text before it
                _runs(out.paragraph(), " ".join(running))
                running = []
            if style == "heading":
                _runs(out.paragraph(), line, bold=True)
            else:
                _runs(out.paragraph(style=style), line)
        if running:
            _runs(out.paragraph(), " ".join(running))


def _attendance(doc, meeting) -> None:
    marks = sorted(meeting.attendance, key=lambda a: a.person.name.casefold())
    present = [person_label(a.person) for a in marks if a.status == "present"]
    represented = [f"{person_label(a.person)}, represented by "
                   f"{person_label(a.designee) if a.designee else 'a designee'}"
                   for a in marks if a.status == "designee"]
    absent = [person_label(a.person) for a in marks if a.status == "absent"]
    if not marks:
        doc.add_paragraph("Attendance was not recorded.")
    for label, names in (("Present", present), ("Represented by a designee", represented),
                         ("Absent", absent)):
        if names:
            labelled(doc, label, "; ".join(names))


def _motion(doc, motion) -> None:
    """A motion: its words, mover and seconder, the quorum at the vote, the result, the votes."""
    doc.add_paragraph().add_run(clean(f"Motion: {motion.text}")).bold = True
    moved = f"Moved by {person_label(motion.mover)}"
    if motion.seconder is not None:
        moved += f", seconded by {person_label(motion.seconder)}"
    doc.add_paragraph(clean(moved + "."))
    if motion.quorum_statement:
        doc.add_paragraph(clean(motion.quorum_statement))
    result = doc.add_paragraph()
    result.add_run("Result: ").bold = True
    result.add_run(clean(motion.describe()))
    if motion.votes:
        add_table(doc, ["Member", "Vote"], [
            [person_label(v.person), v.choice_label]
            for v in sorted(motion.votes, key=lambda v: v.person.name.casefold())])


def _actions(meeting) -> list[ActionItem]:
    return list(db.session.scalars(
        select(ActionItem).where(ActionItem.meeting_id == meeting.id)
        .options(selectinload(ActionItem.owner).selectinload(Person.agency))
        .order_by(ActionItem.created_at, ActionItem.id)))


def minutes_docx(meeting) -> bytes:
    """The meeting's minutes: attendance, notes per item, decisions and the action table."""
    approved = meeting.minutes_approved_at
    doc = new_document(meeting, "Minutes")
    heading_block(doc, meeting, "Minutes")
    if approved:
        words = f"Approved on {format_day(on_committee_clock(meeting, approved))}"
        motion = approval_motion(meeting)
        if motion is not None:
            words += (f" at the meeting of {format_day(meeting_day(motion.meeting))}: "
                      f"“{motion.text}” Moved by {motion.mover.name}")
            if motion.seconder is not None:
                words += f", seconded by {motion.seconder.name}"
            words += f". {motion.quorum_statement} Result: {motion.describe()}"
        doc.add_paragraph(clean(words + "."))
    else:
        doc.add_paragraph("Draft: not yet approved.")

    doc.add_heading("Attendance", level=1)
    _attendance(doc, meeting)
    if meeting.attendance:
        doc.add_paragraph(clean(quorum(meeting).describe()))

    out = Writer(doc)
    out.heading("Agenda items", level=1)
    if not meeting.items:
        out.paragraph("No agenda items.")
    links = links_of(meeting.committee, meeting.items)
    for number, item in enumerate(meeting.items, 1):
        out.heading(clean(f"{number}. {item.title}"), level=2)
        details = f"{ITEM_KINDS.get(item.kind, item.kind)}, {item.minutes} minutes"
        if item.presenter is not None:
            details += f"; presented by {person_label(item.presenter)}"
        for link in links[item.id]:
            details += f"; {link}"
        paragraph = out.paragraph()
        if paragraph is not None:
            paragraph.add_run(clean(details)).italic = True
        markdown_paragraphs(out, item.notes or "")

    if meeting.minutes_text and meeting.minutes_text.strip():
        out.heading("Other notes", level=1)
        markdown_paragraphs(out, meeting.minutes_text)

    # The decisions and the action items always have their headings, however
    # long the notes before them were.
    doc.add_heading("Decisions", level=1)
    decisions = Writer(doc)
    for decision in meeting.decisions or []:
        if decisions.paragraph(clean(decision), "List Number") is None:
            break
    if not meeting.decisions and not meeting.motions:
        doc.add_paragraph("No decisions recorded.")
    for motion in meeting.motions:
        _motion(doc, motion)

    doc.add_heading("Action items", level=1)
    actions = _actions(meeting)
    if actions:
        add_table(doc, ["Action", "Owner", "Agency", "Due", "Status"], [
            [a.title, a.owner.name, a.owner.agency.name,
             format_day(a.due) if a.due else "—", STATUSES.get(a.status, a.status)]
            for a in actions])
    else:
        doc.add_paragraph("No new action items.")
    return to_bytes(doc)
