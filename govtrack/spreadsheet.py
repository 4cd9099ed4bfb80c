"""CSV downloads that a spreadsheet opens safely."""

import csv
import io

from flask import Response

#: a cell starting with one of these is run as a formula by Excel, LibreOffice and
#: Sheets (CSV injection): "=HYPERLINK(...)" typed as an action's title, say
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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
