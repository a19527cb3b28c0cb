"""Reading the spreadsheets offices send, one row at a time (constant memory).

`open_rows(path)` gives the header (merged heading cells spread over the columns they cover,
several heading rows joined) and an iterator of rows as lists of values:

- .xlsx with openpyxl in read-only mode (formula cells read as the values Excel saved);
- .xls with xlrd (dates come back as Excel serial numbers, parsed like any other);
- .csv in UTF-8 (with or without a BOM) or GBK/GB18030, told apart by decoding the start of
  the file; the delimiter is sniffed among comma, semicolon and tab.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from gongzhi.core.errors import ServiceError

FORMATS = (".xlsx", ".xlsm", ".xls", ".csv", ".txt")
XML_CHUNK = 1 << 20  # how much of a sheet's XML is read at a time when looking for merges


class UnreadableFile(ServiceError):
    """The file is not a spreadsheet this importer reads; nothing was changed."""


@dataclass
class Sheet:
    header: list[str]
    rows: Iterator[list[Any]]
    first_row: int  # the spreadsheet row number of the first data row (1-based)
    close: Any = None
    # How far through the file the reading is (0 … 1), for progress bars; None: unknown.
    fraction: Callable[[], float | None] = lambda: None


def detect_encoding(sample: bytes) -> str:
    """utf-8-sig for a BOM, utf-8 when the sample decodes as UTF-8, otherwise gb18030 (a
    superset of GBK and GB2312)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the end of the sample is still UTF-8.
        if exc.start >= len(sample) - 3 and exc.reason == "unexpected end of data":
            return "utf-8"
    try:
        sample.decode("gb18030")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 3:
            raise UnreadableFile(_("The file is neither UTF-8 nor GBK/GB18030 text.")) from exc
    return "gb18030"


def _headings(rows: list[list[Any]], merged: list[tuple[int, int, int, int]]) -> list[str]:
    """One heading per column from `rows` (the heading rows): a merged cell's value is spread
    over every column and row it covers; the rows' texts are joined with '/' (a group heading
    over its columns: "反映人/姓名"), repeated parts said once."""
    width = max((len(r) for r in rows), default=0)
    grid = [[(r[i] if i < len(r) else None) for i in range(width)] for r in rows]
    for r0, c0, r1, c1 in merged:  # 0-based, inclusive
        if r0 >= len(grid):
            continue
        value = grid[r0][c0] if c0 < width else None
        for r in range(r0, min(r1, len(grid) - 1) + 1):
            for c in range(c0, min(c1, width - 1) + 1):
                grid[r][c] = value
    out = []
    for c in range(width):
        parts: list[str] = []
        for r in range(len(grid)):
            text = _clean_heading(grid[r][c])
            if text and (not parts or parts[-1] != text):
                parts.append(text)
        out.append("/".join(parts))
    return out


def _clean_heading(value: Any) -> str:
    if value is None:
        return ""
    return " ".join(str(value).replace("\ufeff", "").split())


def open_rows(path: str | Path, *, header_rows: int = 1, name: str = "") -> Sheet:
    """The file's header and its data rows. `name`: the uploaded file's name (its extension
    says the format; `path` may be a stored file with another name)."""
    suffix = Path(name or str(path)).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx(path, header_rows)
    if suffix == ".xls":
        return _xls(path, header_rows)
    if suffix in (".csv", ".txt"):
        return _csv(path, header_rows)
    raise UnreadableFile(
        _("Unknown file type %(suffix)s: send .xlsx, .xls or .csv.") % {"suffix": suffix or "?"}
    )


def _xlsx(path: str | Path, header_rows: int) -> Sheet:
    import zipfile

    import openpyxl

    try:
        # Merged cells are not known in read-only mode: read them from the sheet's XML first
        # (a small part of the file), then stream the rows.
        merged = _xlsx_merged(path, header_rows)
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise UnreadableFile(_("The file is not a readable .xlsx workbook.")) from exc
    ws = book.worksheets[0]
    header_rows = _depth(header_rows, merged)
    it = ws.iter_rows(values_only=True)
    heads = [list(next(it, ())) for _ in range(header_rows)]
    total = max(1, (ws.max_row or 0) - header_rows)
    seen = [0]

    def rows() -> Iterator[list[Any]]:
        for r in it:
            seen[0] += 1
            yield list(r)

    return Sheet(
        _headings(heads, merged),
        rows(),
        header_rows + 1,
        close=book.close,
        fraction=lambda: min(1.0, seen[0] / total) if ws.max_row else None,
    )


def _xlsx_merged(path: str | Path, header_rows: int) -> list[tuple[int, int, int, int]]:
    """The merged ranges that touch the heading rows, read from the first sheet's XML. The XML
    is scanned a megabyte at a time (the merges are listed after the rows, at its end, and a
    100,000-row sheet's XML is hundreds of megabytes: never held whole)."""
    import re
    import zipfile

    from openpyxl.utils.cell import range_boundaries

    pattern = re.compile(rb'<mergeCell ref="([A-Z]+\d+:[A-Z]+\d+)"')
    refs: list[bytes] = []
    with zipfile.ZipFile(path) as z:
        names = sorted(n for n in z.namelist() if re.match(r"xl/worksheets/sheet\d+\.xml$", n))
        if not names:
            return []
        # The first sheet by number.
        with z.open(names[0]) as f:
            tail = b""
            while chunk := f.read(XML_CHUNK):
                data = tail + chunk
                cut = data.rfind(b"<")  # a tag cut by the chunk's end is read with the next
                if cut < 0 or len(data) - cut > 200:
                    cut = len(data)
                refs += pattern.findall(data, 0, cut)
                tail = data[cut:]
            refs += pattern.findall(tail)
    out = []
    for ref in refs:
        c0, r0, c1, r1 = range_boundaries(ref.decode())
        if r0 is not None and r0 <= header_rows:
            out.append((r0 - 1, (c0 or 1) - 1, (r1 or r0) - 1, (c1 or c0 or 1) - 1))
    return out


def _depth(header_rows: int, merged: list[tuple[int, int, int, int]]) -> int:
    """The heading rows, grown to the bottom of a heading cell merged downwards (a sheet with
    group headings over sub-headings has two heading rows whatever the profile says)."""
    return max([header_rows, *(r1 + 1 for r0, _c0, r1, _c1 in merged if r0 < header_rows)])


def _xls(path: str | Path, header_rows: int) -> Sheet:
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), on_demand=True, formatting_info=True)
    except Exception as exc:  # xlrd raises plain errors of many kinds for a bad file
        try:
            book = xlrd.open_workbook(str(path), on_demand=True)
        except Exception:
            raise UnreadableFile(_("The file is not a readable .xls workbook.")) from exc
    sh = book.sheet_by_index(0)
    merged = [(r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in sh.merged_cells if r0 < header_rows]
    header_rows = _depth(header_rows, merged)
    heads = [sh.row_values(i) for i in range(min(header_rows, sh.nrows))]

    seen = [0]

    def rows() -> Iterator[list[Any]]:
        for i in range(header_rows, sh.nrows):
            seen[0] = i
            yield sh.row_values(i)

    return Sheet(
        _headings(heads, merged),
        rows(),
        header_rows + 1,
        close=book.release_resources,
        fraction=lambda: seen[0] / max(1, sh.nrows),
    )


def _csv(path: str | Path, header_rows: int) -> Sheet:
    with open(path, "rb") as raw:
        sample = raw.read(64 * 1024)
    encoding = detect_encoding(sample)
    f = open(path, encoding=encoding, newline="")  # noqa: SIM115  (closed by Sheet.close)
    first_line = sample.decode(encoding, errors="ignore").split("\n", 1)[0]
    # The delimiter the heading line uses most (offices send commas, semicolons or tabs);
    # quoting as Excel writes it, so quoted cells may hold commas and line breaks.
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(f, delimiter=delimiter)
    try:
        heads = [next(reader, []) for _ in range(header_rows)]
    except (UnicodeDecodeError, csv.Error) as exc:
        f.close()
        raise UnreadableFile(_("The file is not readable CSV text.")) from exc

    def rows() -> Iterator[list[Any]]:
        try:
            yield from reader
        except UnicodeDecodeError as exc:
            raise UnreadableFile(
                _("The file mixes text encodings (row %(row)d).") % {"row": reader.line_num}
            ) from exc

    size = max(1, Path(path).stat().st_size)
    return Sheet(
        _headings(heads, []),
        rows(),
        header_rows + 1,
        close=f.close,
        fraction=lambda: min(1.0, f.buffer.tell() / size),  # type: ignore[attr-defined]
    )
