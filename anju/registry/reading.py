"""Reading government sheets: .xlsx, .xls and .csv (UTF-8 or GB18030), header found by its labels.

Workbooks are read in a child process with a memory limit (``sheetio``): a hostile or careless
file can make a spreadsheet reader ask for hundreds of gigabytes, and that must end one child,
not the web server or the Celery worker. Limits (each a setting with a default):

``ANJU_IMPORT_MAX_FILE_BYTES`` (100 MB), ``ANJU_IMPORT_MAX_UNCOMPRESSED`` (768 MB unzipped),
``ANJU_IMPORT_MAX_RATIO`` (200: compression ratio of one part), ``ANJU_IMPORT_MAX_ROWS``
(1,048,576 data rows), ``ANJU_IMPORT_MAX_COLUMNS`` (200), ``ANJU_IMPORT_READ_MEMORY`` (4 GB address
space of the child), ``ANJU_IMPORT_READ_TIMEOUT`` (900 s), ``ANJU_IMPORT_ISOLATE`` (True).
"""

from __future__ import annotations

import csv
import json
import os
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from . import sheetio
from .columns import BY_KEY, COLUMNS, HEADER_ALIASES, REQUIRED
from .sheetio import HEADER_SEARCH_ROWS, fold

SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")


class FileError(ValueError):
    """The file as a whole cannot be read: wrong type, no header, unknown encoding, too large."""


def caps() -> dict:
    return {
        "max_file_bytes": getattr(settings, "ANJU_IMPORT_MAX_FILE_BYTES", 100 << 20),
        "max_uncompressed": getattr(settings, "ANJU_IMPORT_MAX_UNCOMPRESSED", 768 << 20),
        "max_ratio": getattr(settings, "ANJU_IMPORT_MAX_RATIO", 200),
        "max_rows": getattr(settings, "ANJU_IMPORT_MAX_ROWS", 1_048_576),
        "max_columns": getattr(settings, "ANJU_IMPORT_MAX_COLUMNS", 200),
        "max_memory": getattr(settings, "ANJU_IMPORT_READ_MEMORY", 4 << 30),
        "timeout": getattr(settings, "ANJU_IMPORT_READ_TIMEOUT", 900),
    }


def header_spec() -> dict:
    return {
        "labels": {fold(c.label): c.key for c in COLUMNS},
        "aliases": {fold(k): fold(v) for k, v in HEADER_ALIASES.items()},
        "required": [fold(c.label) for c in REQUIRED],
    }


@dataclass
class Sheet:
    """The sheet that was read: where its header is, and its data rows (only those holding data,
    each as (row number, cells up to the header's last column))."""

    name: str
    header_row: int
    columns: dict[str, int]
    labels: list[str]
    sheets: list[str] = field(default_factory=list)
    prelude: list[tuple[int, list]] = field(default_factory=list)
    rows: Iterator[tuple[int, list]] = field(default_factory=lambda: iter(()))


def suffix_of(path: str | Path, filename: str = "") -> str:
    suffix = Path(filename or str(path)).suffix.lower()
    if suffix not in SUFFIXES:
        raise FileError("只支持 .xlsx、.xls 和 .csv 文件")
    return suffix


def read_sheet(path: str | Path, filename: str = "", spec: dict | None = None) -> Sheet:
    """The first visible sheet with a header: people put a cover or 说明 sheet first, or keep an
    old tab; the sheet read is named in the result so nothing is read silently. ``spec`` names
    the header's labels, aliases and required columns (the registry's by default; other imports,
    such as the department feeds, pass their own)."""
    path = Path(path)
    spec = spec or header_spec()
    suffix = suffix_of(path, filename)
    limits = caps()
    if not path.exists():
        raise FileError(f"文件不存在：{path}")
    size = path.stat().st_size
    if size > limits["max_file_bytes"]:
        raise FileError(
            f"文件有 {sheetio.mib(size)}，超过 {sheetio.mib(limits['max_file_bytes'])} 的上限，"
            "请分成几个文件导入"
        )
    if suffix == ".csv":
        return _csv_sheet(path, limits, spec)
    if getattr(settings, "ANJU_IMPORT_ISOLATE", True):
        return _records(_child(path, suffix, limits, spec))
    return _records(_in_process(path, suffix, limits, spec))


def _in_process(path: Path, suffix: str, limits: dict, spec: dict) -> Iterator[tuple]:
    try:
        yield from sheetio.read(str(path), suffix, spec, limits)
    except sheetio.SheetError as exc:
        yield "error", str(exc)


def _run_child(path: Path, suffix: str, limits: dict, out: str, spec: dict) -> int:
    job = {"path": str(path), "suffix": suffix, "spec": spec, "caps": limits}
    try:
        done = subprocess.run(
            [sys.executable, sheetio.__file__, json.dumps(job), out],
            capture_output=True,
            timeout=limits["timeout"],
            env={**os.environ, "PYTHONPATH": "", "RUST_BACKTRACE": "0"},
        )
    except subprocess.TimeoutExpired:
        raise FileError(
            f"读取文件超过 {limits['timeout']} 秒仍未完成，已中止；请删除多余内容或分成几个文件导入"
        ) from None
    return done.returncode


def _child(path: Path, suffix: str, limits: dict, spec: dict) -> Iterator[tuple]:
    out = tempfile.NamedTemporaryFile(  # noqa: SIM115 - removed when the rows are read
        prefix="anju-sheet-", suffix=".pickle", delete=False
    )
    out.close()
    try:
        code = _run_child(path, suffix, limits, out.name, spec)
        if code != 0 and suffix in (".xlsx", ".xlsm"):
            # The fast reader died (a sheet whose dimension lies about a far cell): read again
            # cell by cell, keeping only the header's columns and the rows that hold data.
            code = _run_child(path, suffix, {**limits, "stream": True}, out.name, spec)
        if code != 0:
            raise FileError(_crash_message(limits))
        with open(out.name, "rb") as handle:
            while True:
                try:
                    record = pickle.load(handle)
                except EOFError:
                    break
                if record == ("error", "memory"):
                    raise FileError(_crash_message(limits))
                yield record
    finally:
        os.unlink(out.name)


def _crash_message(limits: dict) -> str:
    return (
        "读取该文件的进程意外中止（占用内存超过 "
        f"{sheetio.mib(limits['max_memory'])} 的上限，或文件已损坏）。表格中可能有远离数据区的内容"
        "（例如最右列、最后一行的某个单元格）：请把台账复制到新建的工作簿中另存为 .xlsx 再上传"
    )


def _records(records: Iterator[tuple]) -> Sheet:
    first = next(records, ("error", "无法读取该文件"))
    if first[0] == "error":
        records.close()
        raise FileError(first[1])
    meta = first[1]
    _, prelude = next(records)

    def rows() -> Iterator[tuple[int, list]]:
        for kind, payload in records:
            if kind == "rows":
                yield from payload
            elif kind == "error":
                raise FileError(payload)

    return Sheet(
        name=meta["sheet"],
        header_row=meta["header_row"],
        columns=meta["columns"],
        labels=meta["labels"],
        sheets=meta["sheets"],
        prelude=prelude,
        rows=rows(),
    )


def _csv_lines(path: Path) -> Iterator[list]:
    with open(path, "rb") as handle:
        head = handle.read(1 << 16)
    encoding = "utf-8-sig"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A cut multi-byte character at the end of the sample is not a wrong guess.
        if exc.start < len(head) - 4:
            encoding = "gb18030"
    try:
        with open(path, encoding=encoding, newline="") as handle:
            yield from csv.reader(handle)
    except UnicodeDecodeError:
        raise FileError(
            "无法识别 CSV 文件的编码：请另存为 UTF-8 或 GB18030（Excel 的“CSV”）"
        ) from None
    except csv.Error:
        raise FileError(
            "CSV 文件格式有误（某个单元格过长或引号不成对），请用 Excel 另存后再上传"
        ) from None


def _csv_sheet(path: Path, limits: dict, spec: dict) -> Sheet:
    lines = enumerate(_csv_lines(path), start=1)
    head: list[tuple[int, list]] = []
    found = None
    for number, cells in lines:
        cells = cells[: limits["max_columns"]]
        head.append((number, cells))
        found = sheetio.find_header([cells], spec)
        if found or number >= HEADER_SEARCH_ROWS:
            break
    if not found:
        near, missing = sheetio.best_candidate([c for _, c in head], spec, [n for n, _ in head])
        raise FileError(
            sheetio._no_header_message(["CSV"], [("CSV", near, missing)], spec, csv=True)
        )
    header_row, header = head[-1]
    positions = found[1]
    width = max(positions.values()) + 1

    def rows() -> Iterator[tuple[int, list]]:
        count = 0
        for number, cells in lines:
            if any(c.strip() for c in cells[:width]):
                count += 1
                if count > limits["max_rows"]:
                    raise FileError(
                        f"文件的数据超过 {limits['max_rows']:,} 行的上限，请分成几个文件导入"
                    )
                yield number, cells[:width]

    return Sheet(
        name="CSV",
        header_row=header_row,
        columns=positions,
        labels=[c.strip() for c in header[:width]],
        sheets=["CSV"],
        prelude=head[:-1],
        rows=rows(),
    )


def column_label(key: str) -> str:
    return BY_KEY[key].label


def read_rows(path: str | Path, filename: str = "") -> Iterator[list]:
    """Every row of the sheet that is read, from row 1 (empty rows as []), header's columns only:
    for scripts such as the benchmark that want plain rows."""
    sheet = read_sheet(path, filename)
    last = 0
    for number, cells in [*sheet.prelude, (sheet.header_row, sheet.labels)]:
        yield from ([] for _ in range(number - last - 1))
        yield cells
        last = number
    for number, cells in sheet.rows:
        yield from ([] for _ in range(number - last - 1))
        yield cells
        last = number
