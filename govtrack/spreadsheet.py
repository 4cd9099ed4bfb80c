"""CSV downloads that a spreadsheet opens safely."""

import csv
import io
from collections.abc import Iterator

from flask import Response

#: a cell starting with one of these is run as a formula by Excel, LibreOffice and
#: Sheets (CSV injection): "=HYPERLINK(...)" typed as an action's title, say
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset(FORMULA_STARTS)
#: rows written per chunk of a streamed CSV: big enough that the writer's per-call cost
#: does not show, small enough that the first bytes leave at once
STREAM_ROWS = 500


def safe_cell(value) -> str:
    """Text as a cell no spreadsheet runs as a formula; numbers are left as numbers."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:g}" if isinstance(value, float) else str(value)
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(header: list[str], rows, filename: str) -> Response:
    """A CSV attachment: the header, then each row with every cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


def csv_stream(header: list[str], rows, filename: str) -> Response:
    """A CSV attachment written STREAM_ROWS rows at a time as the client reads it: the
    first bytes leave before the last row is written, and the whole file is never
    held as one string. rows are tuples of str, each cell made safe as safe_cell
    makes it; they must not need the database (run the query before returning), so the
    writer needs no request context (stream_with_context would keep the request and its
    connection open while a slow client reads).
    """
    return Response(csv_chunks(header, rows), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


def csv_chunks(header: list[str], rows) -> Iterator[str]:
    """The text of a CSV, STREAM_ROWS rows a chunk: csv_stream's body, or a file's."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    batch = []
    for row in rows:
        # safe_cell of a str, inlined: a call per cell was most of a national file's time
        batch.append(["'" + v if v[:1] in _FORMULA_FIRST else v for v in row])
        if len(batch) == STREAM_ROWS:
            writer.writerows(batch)
            batch.clear()
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    writer.writerows(batch)
    if rest := out.getvalue():
        yield rest
