"""Reading CSV files as spreadsheet programs write them, and refusing what is not one."""

import pytest

from govtrack.uploads.csvfile import (
    MAX_BYTES,
    Column,
    FileRefused,
    decode,
    digest,
    normalize,
    read_table,
)

COLUMNS = (Column("name", "Name", ("full name",)), Column("email", "E-mail", ("mail",)),
           Column("title", "Title", (), required=False))


def _read(raw: bytes):
    text, encoding = decode(raw, "people.csv")
    return read_table(text, encoding, COLUMNS, "people.csv")


def test_windows_1252_with_accents_and_curly_quotes_and_semicolons():
    raw = "Full name;E-mail;Title\r\nRenée O’Brien;renee@example.org;Directrice\r\n".encode(
        "cp1252")
    table = _read(raw)
    assert table.encoding == "cp1252" and table.delimiter == ";"
    assert table.rows[0].cells == {"name": "Renée O’Brien", "email": "renee@example.org",
                                   "title": "Directrice"}
    assert "Windows-1252" in table.described and "semicolons" in table.described


def test_utf8_with_and_without_byte_order_mark():
    plain = "name,email\nZoë Ávila,zoe@example.org\n".encode()
    assert _read(plain).encoding == "utf-8"
    with_bom = _read(b"\xef\xbb\xbf" + plain)
    assert with_bom.encoding == "utf-8-sig"
    assert with_bom.rows[0]["name"] == "Zoë Ávila"  # the BOM is not part of the header


def test_a_quoted_cell_with_line_breaks_is_one_cell_and_lines_are_counted():
    raw = b'name,email,title\r\n"Ann Lee",ann@example.org,"Director,\r\nCrisis services"\r\n' \
          b'Bob Ray,bob@example.org,\r\n'
    table = _read(raw)
    assert table.rows[0]["title"] == "Director,\nCrisis services"
    assert [r.line for r in table.rows] == [2, 4]


def test_headers_match_whatever_their_case_spacing_and_synonym():
    table = _read(b"  FULL NAME ; e_mail ;Notes\nAnn;ann@example.org;x\n")
    assert table.rows[0].cells == {"name": "Ann", "email": "ann@example.org"}
    assert table.ignored == ["Notes"]
    assert table.rows[0].where["email"] == "e_mail (column B)"


@pytest.mark.parametrize(("raw", "words"), [
    (b"", "people.csv is empty"),
    (b"  \r\n\r\n", "people.csv is empty"),
    (b"PK\x03\x04\x14\x00\x06\x00binary workbook", "not a CSV text file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "not a CSV text file"),
    (b"name,title\nAnn,Boss\n", "no E-mail column"),
    (b"ann@example.org,Ann\n", "no Name and no E-mail column"),
    (b"name,email\n", "a header but no rows"),
    (b"name,email,mail\nAnn,a@example.org,b@example.org\n", "names the E-mail column twice"),
])
def test_a_file_that_cannot_be_read_is_refused_by_name_with_the_reason(raw, words):
    with pytest.raises(FileRefused, match=words):
        _read(raw)


def test_a_file_over_the_limit_is_refused_by_name_and_size_never_cut_short():
    raw = b"name,email\n" + b"Ann,ann@example.org\n" * (MAX_BYTES // 20 + 10)
    with pytest.raises(FileRefused) as refused:
        decode(raw, "big.csv")
    assert f"big.csv is {len(raw):,} bytes" in str(refused.value)
    assert f"{MAX_BYTES:,} bytes" in str(refused.value)


def test_a_row_with_a_stray_separator_is_a_problem_of_its_line():
    table = _read(b"name,email\nAnn,ann@example.org\nBob,bob@example.org,extra\n")
    assert [(p.line, p.column) for p in table.problems] == [(3, "")]
    assert "more cells than the header" in table.problems[0].message


def test_the_text_a_browser_sends_back_has_the_same_digest():
    text, _ = decode("name;email\r\nRenée;r@example.org\r\n".encode("cp1252"), "f.csv")
    # a browser sends a hidden field's line breaks as CR LF; the form trims it
    sent_back = "\r\n" + text.replace("\n", "\r\n") + "\r\n"
    assert digest(normalize(sent_back)) == digest(text)
