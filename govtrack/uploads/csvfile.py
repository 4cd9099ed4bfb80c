"""Reading an uploaded CSV, and the preview-then-confirm plan every roster import follows.

A file is read as Excel, LibreOffice and Sheets write it: UTF-8 with or
without a byte-order mark, Windows-1252 (Excel's "CSV" on a Western
Windows), comma or semicolon between cells (a European locale writes
semicolons), quoted cells with line breaks. What cannot be read is refused
with the file's name and the reason; nothing is ever cut short.

An import is planned twice: once for the preview, and again on confirm from
the text the preview carried. The confirm stores only if the second plan is
the one the person saw (its fingerprint): a record changed in between, or a
second click on the same button, stores nothing twice.
"""

import csv
import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from govtrack.editing import AlreadyDone, DomainError
from govtrack.forms import CONTROL

#: a file larger than this is refused by name and size, never cut short. The preview
#: carries the decoded text back in one form field, which Flask caps at 500 kB
#: (MAX_FORM_MEMORY_SIZE): Windows-1252 text grows at most threefold in UTF-8.
MAX_BYTES = 150_000
#: rows of one import at most (a committee's or a county's roster is far smaller)
MAX_ROWS = 2000

ENCODINGS = {"utf-8-sig": "UTF-8 (with byte-order mark)", "utf-8": "UTF-8",
             "cp1252": "Windows-1252", "utf-16": "UTF-16"}
DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs"}


class FileRefused(ValueError):
    """The file as a whole cannot be read: empty, binary, too large, a wrong header."""


@dataclass(frozen=True)
class Column:
    """A column an import reads: its name in messages and the headers that mean it."""

    name: str
    words: str
    synonyms: tuple[str, ...]
    required: bool = True

    def matches(self, header: str) -> bool:
        """Whether a header cell names this column (case, spaces and dashes aside)."""
        return _squash(header) in {_squash(s) for s in (self.words, *self.synonyms)}


def _squash(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


@dataclass(frozen=True)
class Problem:
    """A bad row: the line of the file it starts on, the column and a plain message."""

    line: int
    column: str
    message: str


@dataclass
class Row:
    """A data row: its first line in the file and its cells by column name (trimmed)."""

    line: int
    cells: dict[str, str]
    #: the column as the file's header names it, with its letter: "E-mail (column B)"
    where: dict[str, str]

    def __getitem__(self, name: str) -> str:
        return self.cells.get(name, "")


@dataclass
class Table:
    """A CSV read: its rows and what was learned about the file on the way."""

    encoding: str
    delimiter: str
    rows: list[Row]
    ignored: list[str]
    problems: list[Problem] = field(default_factory=list)

    @property
    def described(self) -> str:
        """How the file was read, in words."""
        return f"Read as {ENCODINGS[self.encoding]}, cells separated by " \
               f"{DELIMITERS[self.delimiter]}."


def size_problem(filename: str, size: int) -> str | None:
    """Why a file of size bytes is refused, or None."""
    if size <= MAX_BYTES:
        return None
    return (f"{filename} is {size:,} bytes; the limit is {MAX_BYTES:,} bytes. Split it "
            "and import each part.")


def decode(raw: bytes, filename: str) -> tuple[str, str]:
    """The text of an uploaded file and the encoding it was read in; FileRefused if none fits."""
    too_large = size_problem(filename, len(raw))
    if too_large:
        raise FileRefused(too_large)
    if not raw.strip():
        raise FileRefused(f"{filename} is empty.")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"  # Excel's "Unicode text"
    elif raw.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    elif b"\x00" in raw:
        encoding = ""
    else:
        try:
            raw.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = "cp1252"
    try:
        text = raw.decode(encoding) if encoding else None
    except (UnicodeDecodeError, LookupError):
        text = None
    if text is None or CONTROL.search(text.lstrip("\ufeff")):
        raise FileRefused(f"{filename} is not a CSV text file (a workbook or other binary "
                          "file?). In your spreadsheet program choose Save as, then CSV.")
    return normalize(text), encoding


def normalize(text: str) -> str:
    """Text as the preview carries it: one kind of line break, no surrounding blank space.

    Browsers send a form field's line breaks as CR LF whatever it held, and
    govtrack's forms trim every field: the confirm sees this text exactly.
    """
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").strip()


def digest(text: str) -> str:
    """The SHA-256 of the text, to tell that the preview's text came back intact."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _sniff(header_line: str) -> str:
    """The delimiter the header uses most, outside quotes; a comma if none."""
    bare = re.sub(r'"[^"]*"', "", header_line)
    counts = {d: bare.count(d) for d in DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def read_table(text: str, encoding: str, columns: tuple[Column, ...], filename: str) -> Table:
    """The rows of text under its header, matched to columns; FileRefused for a bad header."""
    text = normalize(text)
    if not text:
        raise FileRefused(f"{filename} is empty.")
    delimiter = _sniff(text.split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise FileRefused(f"The first line of {filename} is not readable CSV: {exc}.") from exc
    where: dict[str, int] = {}
    ignored = []
    for index, cell in enumerate(header):
        column = next((c for c in columns if c.matches(cell)), None)
        if column is None:
            if cell.strip():
                ignored.append(cell.strip())
            continue
        if column.name in where:
            raise FileRefused(f"Line 1 of {filename} names the {column.words} column twice "
                              f"(columns {_letter(where[column.name])} and {_letter(index)}).")
        where[column.name] = index
    missing = [c.words for c in columns if c.required and c.name not in where]
    if missing:
        expected = ", ".join(c.words + ("" if c.required else " (optional)") for c in columns)
        raise FileRefused(
            f"Line 1 of {filename} must name the columns; it has no "
            f"{' and no '.join(missing)} column. Expected: {expected}, in any order.")
    labels = {name: f"{header[i].strip()} (column {_letter(i)})" for name, i in where.items()}
    table = Table(encoding=encoding, delimiter=delimiter, rows=[], ignored=ignored)
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            table.problems.append(Problem(line, "", f"This line is not readable CSV: {exc}."))
            break
        if not any(c.strip() for c in cells):
            continue
        if len(table.rows) >= MAX_ROWS:
            raise FileRefused(f"{filename} has more than {MAX_ROWS} rows; split it and "
                              "import each part.")
        row = Row(line, {name: cells[i].strip() if i < len(cells) else ""
                         for name, i in where.items()}, labels)
        if any(c.strip() for c in cells[len(header):]):
            table.problems.append(Problem(line, "", (
                f"This row has more cells than the header has columns ({len(header)}): "
                "look for a stray separator or an unclosed quote.")))
        table.rows.append(row)
    if not table.rows and not table.problems:
        raise FileRefused(f"{filename} has a header but no rows under it.")
    return table


@dataclass
class Step:
    """One record an import creates, changes or leaves as it is."""

    line: int
    action: str  #: "create", "update" or "unchanged"
    label: str  #: who or what, in words
    #: (what, before, after), in words
    changes: list[tuple[str, str, str]]
    #: what the record is and the version it was read at, for the fingerprint
    identity: tuple
    run: Callable[[object], object] | None = None


@dataclass
class Plan:
    """What an import would do, every bad row, and how the file was read."""

    filename: str
    table: Table | None
    steps: list[Step] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def of(self, action: str) -> list[Step]:
        """The steps that would create, update, or leave unchanged."""
        return [s for s in self.steps if s.action == action]

    @property
    def ok(self) -> bool:
        """Whether the file may be imported: no problem, something to do."""
        return not self.problems and any(s.action != "unchanged" for s in self.steps)

    @property
    def fingerprint(self) -> str:
        """A digest of every step: equal plans store the same records."""
        seen = [(s.line, s.action, s.identity, s.changes) for s in self.steps]
        return hashlib.sha256(repr((seen, self.problems)).encode()).hexdigest()


REPLANNED = ("The records changed since the preview (someone edited them meanwhile), so "
             "nothing was imported. Here is the new preview: check it and confirm again.")
TAMPERED = ("The preview's text did not come back intact, so nothing was imported. Upload "
            "the file again.")


def confirm(actor, plan: Plan, text: str, text_digest: str, fingerprint: str):
    """Store plan if it is the one previewed; a repeated confirm stores nothing twice.

    Returns the plan, or AlreadyDone when everything is already as the file says.
    """
    if digest(normalize(text)) != text_digest:
        raise DomainError(TAMPERED)
    if not plan.problems and not plan.ok:
        return AlreadyDone(plan, "Everything in this file is already recorded; nothing "
                                 "changed.")
    if plan.fingerprint != fingerprint or plan.problems:
        raise DomainError(REPLANNED)
    for step in plan.steps:
        if step.run is not None:
            step.run(actor)
    return plan
