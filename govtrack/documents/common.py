"""What the agenda and the minutes share: the heading block, times, tables, saving."""

import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from govtrack.clock import utcnow
from govtrack.meetings.services import item_starts  # noqa: F401  (the builders' one)

#: Characters XML 1.0 cannot hold. Forms refuse them already, but a record can
#: come from elsewhere (a county file, the shell), and python-docx would raise.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def clean(text) -> str:
    """Text as a document can hold it: everything kept except what XML forbids."""
    return _NOT_XML.sub("", "" if text is None else str(text))


def on_committee_clock(meeting, instant: datetime) -> datetime:
    """An instant (aware UTC) as the meeting's committee reads it, in its own zone."""
    return instant.astimezone(ZoneInfo(meeting.committee.timezone))


def local_time(meeting, after_minutes: int = 0) -> datetime:
    """The committee's wall-clock time after_minutes into the meeting.

    The arithmetic is done in UTC, so an agenda that crosses a change of
    daylight-saving time still shows the times a clock on the wall will show.
    """
    return on_committee_clock(meeting, meeting.starts_at + timedelta(minutes=after_minutes))


def format_day(moment) -> str:
    """A date in words: Tuesday 14 January 2025."""
    return f"{moment:%A} {moment.day} {moment:%B %Y}"


def format_time(moment: datetime) -> str:
    """A wall-clock time: 15:00."""
    return f"{moment:%H:%M}"


def when(meeting) -> str:
    """Date, start and end of the meeting, with the zone they are read in."""
    start, end = local_time(meeting), local_time(meeting, meeting.duration_minutes)
    span = f"{format_time(start)}–{format_time(end)}"
    if end.date() != start.date():
        span = f"{format_time(start)}–{format_day(end)} {format_time(end)}"
    return f"{format_day(start)}, {span} {start:%Z} ({meeting.committee.timezone})"


def labelled(doc: DocxDocument, label: str, text: str):
    """A paragraph starting with a bold label, then the text as written."""
    paragraph = doc.add_paragraph()
    paragraph.add_run(f"{label}: ").bold = True
    paragraph.add_run(clean(text))
    return paragraph


def heading_block(doc: DocxDocument, meeting, heading: str) -> None:
    """The committee as Title, the document's Heading 1, then when and where."""
    doc.add_paragraph(clean(meeting.committee.name), style="Title")
    doc.add_heading(heading, level=1)
    labelled(doc, "When", when(meeting))
    if meeting.location:
        labelled(doc, "Where", meeting.location)
    if meeting.video_link:
        labelled(doc, "Video link", meeting.video_link)
    if meeting.status == "cancelled":
        doc.add_paragraph().add_run("This meeting is cancelled.").bold = True


#: the documents' language, for spelling, hyphenation and screen readers
LANGUAGE = "en-US"


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) Word fills in when it lays the page out."""
    run = paragraph.add_run()
    begin, code, end = OxmlElement("w:fldChar"), OxmlElement("w:instrText"), \
        OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    end.set(qn("w:fldCharType"), "end")
    run._r.append(begin)
    run._r.append(code)
    run._r.append(end)


def _language(doc: DocxDocument) -> None:
    """Every paragraph of the Normal style (hence the document) is in LANGUAGE."""
    rpr = doc.styles["Normal"].element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), LANGUAGE)
    rpr.append(lang)
    doc.core_properties.language = LANGUAGE


def new_document(meeting, what: str) -> DocxDocument:
    """An empty document whose properties name the committee, the meeting and what it is.

    Every page's header names the committee and the document; its footer numbers the page.
    """
    doc = Document()
    props = doc.core_properties
    props.title = clean(f"{what}: {meeting.committee.name}, "
                        f"{format_day(local_time(meeting))}")[:255]
    props.author = props.last_modified_by = "govtrack"
    props.created = props.modified = utcnow().replace(tzinfo=None)
    props.revision = 1
    props.comments = ""
    _language(doc)
    section = doc.sections[0]
    section.header.paragraphs[0].text = clean(
        f"{meeting.committee.name} — {what}, {format_day(local_time(meeting))}")
    footer = section.footer.paragraphs[0]
    footer.add_run("Page ")
    _field(footer, "PAGE")
    footer.add_run(" of ")
    _field(footer, "NUMPAGES")
    return doc


def set_widths(table: Table, inches: list[float]) -> None:
    """Fixed column widths (Word otherwise squeezes the item titles)."""
    from docx.shared import Inches

    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, inches, strict=True):
            cell.width = Inches(width)


def add_table(doc: DocxDocument, headers: list[str], rows: list[list[str]]) -> Table:
    """A grid with a bold header row that Word repeats on every page and reads as headers."""
    # Every row made at once: add_row() per row costs a third more on a 30-item agenda.
    table = doc.add_table(rows=len(rows) + 1, cols=len(headers))
    table.style = "Table Grid"
    header, *body = table.rows
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    header._tr.get_or_add_trPr().append(flag)
    for cell, text in zip(header.cells, headers, strict=True):
        cell.paragraphs[0].add_run(text).bold = True
    for row, values in zip(body, rows, strict=True):
        for cell, text in zip(row.cells, values, strict=True):
            cell.paragraphs[0].add_run(clean(text))
    return table


#: the most paragraphs a generated document holds: minutes with 50,000 one-line
#: decisions once kept a worker busy for over 30 s. Beyond it the document says
#: where the rest is instead of growing without bound.
MAX_PARAGRAPHS = 10_000


class Writer:
    """Adds paragraphs to a document cheaply, and no more than MAX_PARAGRAPHS.

    python-docx resolves a style given by name on every paragraph (scanning
    every style of the document, twice): here each style is resolved once.
    """

    def __init__(self, doc: DocxDocument, limit: int = MAX_PARAGRAPHS):
        self.doc = doc
        self.left = limit
        self._style_ids: dict[str, str] = {}
        self.cut = False
        self._end = doc.element.body.sectPr

    def style_id(self, name: str) -> str:
        """The id of the paragraph style called name, looked up once per document."""
        if name not in self._style_ids:
            self._style_ids[name] = self.doc.styles[name].style_id
        return self._style_ids[name]

    def paragraph(self, text: str = "", style: str | None = None):
        """A paragraph of text in a style (by name); None once the document is full."""
        if self.left <= 0:
            if not self.cut:
                self.cut = True
                self.doc.add_paragraph("The rest is too long for a Word document: read it "
                                       "in govtrack.").runs[0].italic = True
            return None
        self.left -= 1
        # Inserted before the closing section properties directly: python-docx looks
        # for them from the first paragraph on at every insertion (quadratic).
        element = OxmlElement("w:p")
        if self._end is not None:
            self._end.addprevious(element)
        else:
            self.doc.element.body.append(element)
        paragraph = Paragraph(element, self.doc._body)
        if text:
            paragraph.add_run(text)
        if style is not None:
            paragraph._p.style = self.style_id(style)  # the resolved id, not the name
        return paragraph

    def heading(self, text: str, level: int):
        """A heading, as doc.add_heading makes it, counted and with its style resolved once."""
        return self.paragraph(text, "Title" if level == 0 else f"Heading {level}")


def person_label(person) -> str:
    """A person with their agency: Jane Doe (County Sheriff)."""
    if person is None:
        return "—"
    return f"{person.name} ({person.agency.name})" if person.agency else person.name


def to_bytes(doc: DocxDocument) -> bytes:
    """The .docx file's bytes."""
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
