"""Reading a workbook's sheet safely: run in a child process, imports nothing of the project.

A workbook is a zip of XML: a 6.8 KB file with one value in cell XFD1048576 makes a reader that
builds a dense grid ask for 549 GB, and a sheet of 1 GiB of empty rows compresses to a few MB.
So, before any sheet is parsed:

* the zip's declared sizes are checked (total uncompressed size and compression ratio), and
* the sheet's ``<dimension>`` is peeked at: a sheet that claims to fit within the row and column
  caps is read by calamine (fast); any other sheet is streamed cell by cell, keeping only the
  columns up to the cap (then up to the header's last column) and only the rows that hold data.

A sheet that lies about its dimension can still make calamine allocate; that is why this runs in
a child process with an address-space limit (``reading.read_sheet``): the child dies, the web
server and the Celery worker do not, and the user reads a Chinese message.

The module is also the child's entry point: ``python sheetio.py SPEC_JSON OUT_FILE``. It writes a
pickle stream: ``("meta", {...})``, ``("rows", [(row_no, cells), ...])``… ``("end", count)``, or a
single ``("error", message)``.
"""

from __future__ import annotations

import json
import pickle
import re
import sys
import unicodedata
import zipfile
from collections.abc import Iterator
from posixpath import join, normpath

MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
HEADER_SEARCH_ROWS = 30
CHUNK = 2000


class SheetError(ValueError):
    """The workbook cannot (or must not) be read; the message is for the user."""


def mib(n: int) -> str:
    return f"{n / (1 << 20):,.0f} MB"


# -- header recognition (shared with reading.py, which passes its labels in the spec) --------


def fold(label) -> str:
    """A header label as compared: full-width forms folded, no spaces, line breaks or stars."""
    if label is None:
        return ""
    if isinstance(label, float) and label.is_integer():
        label = int(label)
    value = label if isinstance(label, str) else str(label)
    if not value.isascii():
        value = unicodedata.normalize("NFKC", value)
    return value.strip().replace("\n", "").replace(" ", "").strip("*")


def find_header(rows: list[list], spec: dict) -> tuple[int, dict[str, int]] | None:
    """The index in ``rows`` of the row carrying every required label, and column per key."""
    labels, aliases, required = spec["labels"], spec["aliases"], spec["required"]
    for index, row in enumerate(rows):
        seen = [aliases.get(f, f) for f in (fold(c) for c in row)]
        if all(label in seen for label in required):
            positions: dict[str, int] = {}
            for col, label in enumerate(seen):
                key = labels.get(label)
                if key and key not in positions:
                    positions[key] = col
            return index, positions
    return None


def best_candidate(rows: list[list], spec: dict, start_row: list[int]) -> tuple[int, list[str]]:
    """The row that looks most like a header (most known labels) and the required labels it
    lacks: tells the user exactly which column is missing."""
    labels, aliases, required = spec["labels"], spec["aliases"], spec["required"]
    best = (0, 0, list(required))
    for index, row in enumerate(rows):
        seen = {aliases.get(f, f) for f in (fold(c) for c in row)}
        known = len(seen & set(labels))
        if known > best[0]:
            best = (known, start_row[index], [r for r in required if r not in seen])
    return best[1], best[2]


# -- the zip ----------------------------------------------------------------------------------


def check_zip(path: str, caps: dict) -> zipfile.ZipFile:
    try:
        book = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise SheetError(
            "无法读取该 Excel 文件：文件可能已损坏、加了密码，或并非 .xlsx 文件"
        ) from None
    total = sum(i.file_size for i in book.infolist())
    if total > caps["max_uncompressed"]:
        raise SheetError(
            f"文件解压后有 {mib(total)}，超过上限 {mib(caps['max_uncompressed'])}："
            "表格中可能有大量空行或多余内容。请删除空行空列后另存为新文件，或把台账分成几个文件上传"
        )
    for info in book.infolist():
        if info.file_size > (1 << 20) and info.file_size > caps["max_ratio"] * max(
            info.compress_size, 1
        ):
            raise SheetError(
                f"文件中的「{info.filename}」压缩比异常（{mib(info.compress_size)} 解压后为 "
                f"{mib(info.file_size)}），像是只含空行或重复内容的“压缩炸弹”，已拒绝读取。"
                "请把台账复制到新建的工作簿中另存后再上传"
            )
    return book


def _xml(book: zipfile.ZipFile, name: str):
    import xml.etree.ElementTree as ET

    try:
        return ET.fromstring(book.read(name))
    except (KeyError, ET.ParseError):
        return None


def xlsx_sheets(book: zipfile.ZipFile) -> list[tuple[str, str, bool]]:
    """(name, part name in the zip, visible) of every worksheet, in tab order."""
    root = _xml(book, "xl/workbook.xml")
    rels = _xml(book, "xl/_rels/workbook.xml.rels")
    if root is None or rels is None:
        raise SheetError("无法读取该 Excel 文件：找不到工作表，文件可能已损坏")
    targets = {
        r.get("Id"): r.get("Target", "")
        for r in rels.iter(f"{PKG_REL_NS}Relationship")
        if r.get("Type", "").endswith("/worksheet")  # not chart sheets
    }
    found = []
    for sheet in root.iter(f"{MAIN_NS}sheet"):
        target = targets.get(sheet.get(f"{REL_NS}id"))
        if target is None:
            continue
        part = target.lstrip("/") if target.startswith("/") else normpath(join("xl", target))
        visible = sheet.get("state", "visible") == "visible"
        found.append((sheet.get("name", ""), part, visible))
    return found


def _shared_strings_part(book: zipfile.ZipFile) -> str:
    rels = _xml(book, "xl/_rels/workbook.xml.rels")
    for r in rels.iter(f"{PKG_REL_NS}Relationship") if rels is not None else ():
        if r.get("Type", "").endswith("/sharedStrings"):
            target = r.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else normpath(join("xl", target))
    return "xl/sharedStrings.xml"


_DIMENSION = re.compile(
    rb"<(?:\w+:)?dimension\s+ref=\"\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?\""
)
_REF = re.compile(r"([A-Z]+)(\d+)")


def col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def dimension(book: zipfile.ZipFile, part: str) -> tuple[int, int] | None:
    """(last row, last column) the sheet claims to use, from the head of its XML, if it says."""
    try:
        with book.open(part) as handle:
            head = handle.read(1 << 16)
    except KeyError:
        raise SheetError("无法读取该 Excel 文件：工作表缺失，文件可能已损坏") from None
    m = _DIMENSION.search(head)
    if not m:
        return None
    last_col, last_row = (m.group(3), m.group(4)) if m.group(3) else (m.group(1), m.group(2))
    return int(last_row), col_index(last_col.decode()) + 1


def _text_of(element) -> str:
    """A string item: its own <t> and rich-text runs' <t>, without phonetic guides (<rPh>)."""
    parts = []
    for child in element:
        tag = child.tag
        if tag == f"{MAIN_NS}t":
            parts.append(child.text or "")
        elif tag == f"{MAIN_NS}r":
            for t in child.iter(f"{MAIN_NS}t"):
                parts.append(t.text or "")
    return "".join(parts)


def _shared_strings(book: zipfile.ZipFile) -> list[str]:
    import xml.etree.ElementTree as ET

    part = _shared_strings_part(book)
    if part not in book.namelist():
        return []
    strings = []
    for _, el in ET.iterparse(book.open(part)):
        if el.tag == f"{MAIN_NS}si":
            strings.append(_text_of(el))
            el.clear()
    return strings


def stream_xlsx(book: zipfile.ZipFile, part: str, width: list[int]) -> Iterator[tuple[int, list]]:
    """(row number, cells) of every row holding a cell, cells only left of ``width[0]``.

    ``width`` is a one-item list so the caller can narrow it to the header once it is found."""
    import xml.etree.ElementTree as ET

    strings = _shared_strings(book)
    row_tag, cell_tag = f"{MAIN_NS}row", f"{MAIN_NS}c"
    v_tag, is_tag = f"{MAIN_NS}v", f"{MAIN_NS}is"
    number = 0
    for _, el in ET.iterparse(book.open(part)):
        if el.tag != row_tag:
            continue
        r = el.get("r")
        number = int(r) if r and r.isdigit() else number + 1
        cells: list = []
        limit = width[0]
        position = -1
        for c in el:
            if c.tag != cell_tag:
                continue
            ref = c.get("r")
            m = _REF.match(ref) if ref else None
            position = col_index(m.group(1)) if m else position + 1
            if position >= limit:
                continue
            kind = c.get("t", "n")
            if kind == "inlineStr":
                inline = c.find(is_tag)
                value = _text_of(inline) if inline is not None else None
            else:
                v = c.find(v_tag)
                raw = v.text if v is not None else None
                if raw is None:
                    continue
                if kind == "s":
                    value = strings[int(raw)] if raw.isdigit() and int(raw) < len(strings) else ""
                elif kind == "b":
                    value = raw == "1"
                elif kind in ("str", "e", "d"):
                    value = raw
                else:
                    try:
                        value = float(raw)
                    except ValueError:
                        value = raw
            if value is None or value == "":
                continue
            if position >= len(cells):
                cells.extend([None] * (position + 1 - len(cells)))
            cells[position] = value
        el.clear()
        if cells:
            yield number, cells


def calamine_rows(path: str, name: str, width: list[int]) -> Iterator[tuple[int, list]]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(path)
        sheet = book.get_sheet_by_name(name)
    except Exception:  # calamine raises several kinds for an unreadable workbook
        raise SheetError(
            "无法读取该 Excel 文件：文件可能已损坏、加了密码，或并非 Excel 文件"
        ) from None
    start_row, start_col = sheet.start if sheet.start else (0, 0)
    pad = [None] * start_col
    for offset, row in enumerate(sheet.iter_rows()):
        cells = (pad + row)[: width[0]] if start_col else row[: width[0]]
        if any(c is not None and c != "" for c in cells):
            yield start_row + offset + 1, cells


def calamine_sheets(path: str) -> list[tuple[str, bool]]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(path)
        return [
            (m.name, str(m.visible).endswith(".Visible"))
            for m in book.sheets_metadata
            if str(m.typ).endswith("WorkSheet")
        ]
    except Exception:
        raise SheetError(
            "无法读取该 Excel 文件：文件可能已损坏、加了密码，或并非 Excel 文件"
        ) from None


# -- one pass over the workbook: the first visible sheet with a header -----------------------


def read(path: str, suffix: str, spec: dict, caps: dict) -> Iterator[tuple]:
    """Yield ("meta", …), ("prelude", rows), then ("rows", chunk)… ("end", count)."""
    max_cols, max_rows = caps["max_columns"], caps["max_rows"]
    if suffix in (".xlsx", ".xlsm"):
        book = check_zip(path, caps)
        sheets = [(name, part) for name, part, visible in xlsx_sheets(book) if visible]
    else:
        book = None
        sheets = [(name, None) for name, visible in calamine_sheets(path) if visible]
    looked = []
    misses = []
    for name, part in sheets:
        looked.append(name)
        width = [max_cols]
        streamed = False
        if book is not None:
            dims = dimension(book, part)
            streamed = (
                caps.get("stream", False)
                or dims is None
                or dims[0] > max_rows + 1000
                or dims[1] > max_cols
            )
            rows = stream_xlsx(book, part, width) if streamed else calamine_rows(path, name, width)
        else:
            rows = calamine_rows(path, name, width)
        head: list[tuple[int, list]] = []
        found = None
        for number, cells in rows:
            if number > HEADER_SEARCH_ROWS:
                break
            head.append((number, cells))
            found = find_header([c for _, c in head[-1:]], spec)
            if found:
                break
        if not found:
            near, missing = best_candidate([c for _, c in head], spec, [n for n, _ in head])
            misses.append((name, near, missing))
            continue
        header_row, header = head[-1]
        _, positions = found
        width[0] = min(max_cols, max(positions.values()) + 1)
        yield (
            "meta",
            {
                "sheet": name,
                "sheets": [n for n, _ in sheets],
                "header_row": header_row,
                "columns": positions,
                "labels": ["" if c is None else str(c).strip() for c in header[: width[0]]],
                "streamed": streamed,
            },
        )
        yield "prelude", [(n, c[: width[0]]) for n, c in head[:-1]]
        chunk: list = []
        count = 0
        for number, cells in rows:
            count += 1
            if count > max_rows:
                raise SheetError(
                    f"工作表「{name}」的数据超过 {max_rows:,} 行的上限，请分成几个文件导入"
                )
            chunk.append((number, cells[: width[0]]))
            if len(chunk) >= CHUNK:
                yield "rows", chunk
                chunk = []
        if chunk:
            yield "rows", chunk
        yield "end", count
        return
    raise SheetError(_no_header_message(looked, misses, spec))


def _no_header_message(looked: list[str], misses: list, spec: dict, csv: bool = False) -> str:
    if not looked:
        return "工作簿中没有可见的工作表"
    required = "、".join(spec["required"])
    if csv:
        parts = [f"在 CSV 文件的前 {HEADER_SEARCH_ROWS} 行中没有找到表头；表头须包含 {required} 列"]
    else:
        names = "、".join(f"「{n}」" for n in looked)
        parts = [
            f"在工作表{names}的前 {HEADER_SEARCH_ROWS} 行中都没有找到表头（系统依次查看每个可见的"
            f"工作表，只读取第一个含表头的工作表）；表头须包含 {required} 列"
        ]
    for name, near, missing in misses:
        if near and missing:
            where = f"第 {near} 行" if csv else f"工作表「{name}」第 {near} 行"
            parts.append(f"{where}像是表头，但缺少 {'、'.join(missing)} 列")
    return "；".join(parts)


def main(argv: list[str]) -> int:
    """The child: read, write the pickle stream, exit 0 (or 0 with an error record)."""
    job = json.loads(argv[1])
    limit = job["caps"].get("max_memory")
    if limit:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    with open(argv[2], "wb") as out:
        try:
            for record in read(job["path"], job["suffix"], job["spec"], job["caps"]):
                pickle.dump(record, out, protocol=pickle.HIGHEST_PROTOCOL)
        except SheetError as exc:
            out.seek(0)
            out.truncate()
            pickle.dump(("error", str(exc)), out)
        except MemoryError:
            out.seek(0)
            out.truncate()
            pickle.dump(("error", "memory"), out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
