"""CSV import: delimiter and header detection, target column(s), text labels as classes.

Numbers are parsed by `np.loadtxt` (C speed); only when that fails is the file scanned in
Python to report the first bad cell by line and column name.
"""

from __future__ import annotations

import csv
import io
import os

import numpy as np

from ..untrusted import clip, library_errors, open_regular, shorten
from .errors import DataError, as_data_error
from .memory import MEMORY_CAP_BYTES, check_memory
from .options import Options
from .raw import RawData

PREVIEW_CHARS = 1 << 20  # what the import dialog's preview reads at most

# Integer-valued numeric targets with at most this many distinct values count as classes.
MAX_AUTO_CLASSES = 20


def load_csv(path: str, opts: Options) -> RawData:
    header_mode = opts.choice("header", "auto", ("auto", "yes", "no"))
    delim_name = opts.choice("delimiter", "auto", ("auto", "comma", "semicolon", "tab", "space"))
    task_opt = opts.choice("task", "auto", ("auto", "classification", "regression"))
    target_text = opts.text("target")

    lines, line_numbers = _read_lines(path)
    delimiter = _detect_delimiter(lines[0]) if delim_name == "auto" else _DELIMS[delim_name]
    first = _cells(lines[0], delimiter, f"{path}: line {line_numbers[0]}")
    second = _cells(lines[1], delimiter, f"{path}: line {line_numbers[1]}") if len(lines) > 1 else []
    has_header = header_mode == "yes" or (header_mode == "auto" and _looks_like_header(first, second))
    names = (
        [c.strip() or f"column {i + 1}" for i, c in enumerate(first)]
        if has_header
        else [f"column {i + 1}" for i in range(len(first))]
    )
    data, data_lines = (lines[1:], line_numbers[1:]) if has_header else (lines, line_numbers)
    if not data:
        raise DataError(f"{path}: no data rows" + (" after the header" if has_header else ""))
    if len(names) < 2:
        raise DataError(
            f"{path}: found a single column; a data set needs input column(s) and a target "
            "(is the delimiter right? try delimiter=comma|semicolon|tab|space)"
        )

    targets = _target_columns(target_text, names, path)
    inputs = [i for i in range(len(names)) if i not in targets]
    check_memory(len(data) * len(names) * 8 * 2, f"{path} ({len(data)} rows × {len(names)} columns)")
    where = _Where(path, names, data_lines, delimiter, data, len(names))
    ragged = where.ragged_row()
    if ragged is not None:
        raise ragged
    x = _numeric(data, delimiter, inputs, where)
    y_text = [_strings(data, delimiter, t, where) for t in targets]
    y, task, class_names = _targets(y_text, task_opt, where, [names[t] for t in targets])
    return RawData(
        x,
        y,
        task,
        class_names=class_names,
        feature_names=[names[i] for i in inputs],
        target_names=[names[t] for t in targets],
        default_scale="standard",
        notes=[
            f"{os.path.basename(path)}: {len(data)} rows, header {'found' if has_header else 'none'}, "
            f"target {', '.join(names[t] for t in targets)}"
        ],
    )


_DELIMS = {"comma": ",", "semicolon": ";", "tab": "\t", "space": None}


class _Where:
    """What error messages need to name a cell: file, column names, file line numbers."""

    def __init__(self, path, names, line_numbers, delimiter, lines, ncols):
        self.path, self.names, self.line_numbers = path, names, line_numbers
        self.delimiter, self.lines, self.ncols = delimiter, lines, ncols

    def cell(self, row: int, col: int) -> str:
        return f"{self.path}: line {self.line_numbers[row]}, column {col + 1} ({shorten(self.names[col])})"

    def ragged_row(self) -> DataError | None:
        """The first row with more or fewer cells than the first row (np.loadtxt ignores extra cells)."""
        expected = self.ncols - 1
        for r, line in enumerate(self.lines):
            if self.delimiter is not None and line.count(self.delimiter) == expected:
                continue  # the common case, checked without the csv module
            cells = _cells(line, self.delimiter, f"{self.path}: line {self.line_numbers[r]}")
            if len(cells) != self.ncols:
                return DataError(
                    f"{self.path}: line {self.line_numbers[r]} has {len(cells)} cells, "
                    f"expected {self.ncols} like the first row"
                )
        return None

    def first_bad_cell(self, cols: list[int], numeric: bool) -> DataError:
        """Scan row by row for the first ragged row, missing cell or (if numeric) non-number."""
        for r, line in enumerate(self.lines):
            cells = _cells(line, self.delimiter, f"{self.path}: line {self.line_numbers[r]}")
            if len(cells) != self.ncols:
                return DataError(
                    f"{self.path}: line {self.line_numbers[r]} has {len(cells)} cells, "
                    f"expected {self.ncols} like the first row"
                )
            for c in cols:
                text = cells[c].strip()
                if not text or text.lower() in ("nan", "na", "n/a", "null", "?"):
                    return DataError(f"{self.cell(r, c)}: missing value {shorten(text)}")
                if numeric and not _is_number(text):
                    return DataError(
                        f"{self.cell(r, c)}: {shorten(text)} is not a number (input columns must be "
                        "numeric; text is allowed in the target column)"
                    )
        return DataError(f"{self.path}: cannot read the numbers (unusual quoting or encoding?)")


def _open_text(path: str, max_bytes: int) -> io.TextIOWrapper:
    """The regular file `path` as UTF-8 text (FIFOs and devices are refused unread)."""
    if not os.path.exists(path):
        raise DataError(f"{path}: no such file")
    try:
        with as_data_error():
            f = open_regular(path, max_bytes)
    except OSError as e:
        raise DataError(f"{path}: {e.strerror or e}") from None
    except DataError as e:
        raise DataError(f"{path}: {e}") from None
    return io.TextIOWrapper(f, encoding="utf-8-sig", newline="")


def _read_lines(path: str) -> tuple[list[str], list[int]]:
    try:
        with _open_text(path, MEMORY_CAP_BYTES) as f:
            size = os.fstat(f.fileno()).st_size
            check_memory(size * 4, f"{path} ({size} bytes)")
            text = f.read(size)  # characters; a file that grew meanwhile is read as it was
    except UnicodeDecodeError as e:
        raise DataError(f"{path}: not UTF-8 text (byte {e.start}); save the CSV as UTF-8") from None
    except OSError as e:
        raise DataError(f"{path}: {e.strerror or e}") from None
    raw = text.splitlines()
    keep = [i for i, line in enumerate(raw) if line.strip() and not line.lstrip().startswith("#")]
    if not keep:
        raise DataError(f"{path}: the file is empty")
    if len(keep) == len(raw):
        return raw, list(range(1, len(raw) + 1))
    return [raw[i] for i in keep], [i + 1 for i in keep]


def _detect_delimiter(line: str) -> str | None:
    counts = {d: line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else None


def _cells(line: str, delimiter: str | None, where: str) -> list[str]:
    """The cells of one line; `where` ("FILE: line N") names it if the csv module refuses it."""
    if delimiter is None:
        return line.split()
    with as_data_error(), library_errors(where, "the line"):  # e.g. a cell over csv.field_size_limit()
        return next(csv.reader([line], delimiter=delimiter))


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def _looks_like_header(first: list[str], second: list[str]) -> bool:
    if any(not _is_number(a.strip()) and _is_number(b.strip()) for a, b in zip(first, second)):
        return True
    return bool(first) and not any(_is_number(a.strip()) for a in first) and not second


def _target_columns(text: str | None, names: list[str], path: str) -> list[int]:
    if text is None:
        return [len(names) - 1]
    lowered = [n.lower() for n in names]
    cols = []
    for token in (t.strip() for t in text.split(",") if t.strip()):
        if token in names:
            cols.append(names.index(token))
        elif token.lower() in lowered:
            cols.append(lowered.index(token.lower()))
        else:
            try:
                index = int(token)
            except ValueError:
                raise DataError(f"{path}: no column named {shorten(token)}; columns are {', '.join(names)}") from None
            if not -len(names) <= index < len(names):
                raise DataError(
                    f"{path}: target column {index} is out of range (the file has "
                    f"{len(names)} columns, numbered from 0; -1 is the last)"
                )
            cols.append(index % len(names))
    if not cols or len(set(cols)) != len(cols):
        raise DataError(f"{path}: target= must name distinct columns")
    if len(cols) == len(names):
        raise DataError(f"{path}: every column is a target; leave at least one input column")
    return cols


def _numeric(lines: list[str], delimiter: str | None, cols: list[int], where: _Where) -> np.ndarray:
    try:
        x = np.loadtxt(
            lines,
            delimiter=delimiter,
            usecols=cols,
            dtype=np.float64,
            ndmin=2,
            quotechar='"' if delimiter else None,
            comments=None,
        )
    except ValueError:
        raise where.first_bad_cell(cols, numeric=True) from None
    if x.shape[0] != len(lines):
        raise where.first_bad_cell(cols, numeric=True)
    with np.errstate(over="ignore"):  # values beyond float32's range become inf and are reported below
        x32 = x.astype(np.float32)
    bad = ~np.isfinite(x32)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise DataError(f"{where.cell(int(r), cols[int(c)])}: missing or infinite value, or beyond float32's range")
    return x32


def _strings(lines: list[str], delimiter: str | None, col: int, where: _Where) -> np.ndarray:
    try:
        values = np.loadtxt(
            lines,
            delimiter=delimiter,
            usecols=[col],
            dtype=str,
            ndmin=1,
            quotechar='"' if delimiter else None,
            comments=None,
        )
    except ValueError:
        raise where.first_bad_cell([col], numeric=False) from None
    values = np.char.strip(values.reshape(-1))
    missing = np.isin(np.char.lower(values), ["", "nan", "na", "n/a", "null", "?"])
    if missing.any():
        r = int(np.argmax(missing))
        raise DataError(f"{where.cell(r, col)}: missing target value {shorten(str(values[r]))}")
    return values


def _targets(columns: list[np.ndarray], task: str, where: _Where, names: list[str]):
    numeric: list[np.ndarray | None] = []
    for values in columns:
        try:
            numeric.append(values.astype(np.float64))
        except ValueError:
            numeric.append(None)
    if len(columns) > 1:
        for values, num, name in zip(columns, numeric, names):
            if num is None:
                bad = next(i for i, v in enumerate(values) if not _is_number(v))
                raise DataError(
                    f"{where.cell(bad, where.names.index(name))}: {shorten(str(values[bad]))} is not a "
                    "number (several target columns must all be numeric)"
                )
        if task == "classification":
            raise DataError(f"{where.path}: classification needs a single target column")
        return np.stack([n for n in numeric if n is not None], axis=1).astype(np.float32), "regression", []
    for column, name in zip(numeric, names):
        if column is None:
            continue
        not_finite = np.flatnonzero(~np.isfinite(column.astype(np.float32)))
        if not_finite.size:
            raise DataError(
                f"{where.cell(int(not_finite[0]), where.names.index(name))}: the target "
                f"{shorten(str(columns[names.index(name)][not_finite[0]]))} is not a finite number "
                "within float32's range"
            )
    values, num = columns[0], numeric[0]
    if num is None:
        if task == "regression":
            bad = next(i for i, v in enumerate(values) if not _is_number(v))
            raise DataError(
                f"{where.cell(bad, where.names.index(names[0]))}: {shorten(str(values[bad]))} is not a number"
            )
        return _classes(values)
    is_int = np.all(num == np.round(num))
    distinct = np.unique(num)
    if task == "classification" or (task == "auto" and is_int and distinct.size <= MAX_AUTO_CLASSES):
        if distinct.size > 1000:
            raise DataError(f"{where.path}: the target has {distinct.size} distinct values, too many classes")
        labels, inverse = np.unique(num, return_inverse=True)
        return inverse.astype(np.int64), "classification", [f"{v:g}" for v in labels]
    return num.astype(np.float32)[:, None], "regression", []


def _classes(values: np.ndarray):
    labels, inverse = np.unique(values, return_inverse=True)
    return inverse.astype(np.int64), "classification", [str(v) for v in labels]


def csv_preview(path: str, max_rows: int = 20) -> tuple[list[str], list[list[str]], bool]:
    """(column names, first rows as text, header found) without reading the whole file."""
    lines: list[str] = []
    try:
        with _open_text(path, MEMORY_CAP_BYTES) as f:
            for line in f.read(PREVIEW_CHARS).splitlines():  # a bounded read: one line may be gigabytes
                if line.strip() and not line.lstrip().startswith("#"):
                    lines.append(line)
                    if len(lines) > max_rows:
                        break
    except (OSError, UnicodeDecodeError) as e:
        raise DataError(f"{path}: cannot read ({clip(str(e))})") from None
    if not lines:
        raise DataError(f"{path}: the file is empty")
    delimiter = _detect_delimiter(lines[0])
    rows = [_cells(line, delimiter, f"{path}: line {i + 1} of the preview") for i, line in enumerate(lines)]
    header = _looks_like_header(rows[0], rows[1] if len(rows) > 1 else [])
    names = (
        [c.strip() or f"column {i + 1}" for i, c in enumerate(rows[0])]
        if header
        else [f"column {i + 1}" for i in range(len(rows[0]))]
    )
    return names, rows[1:] if header else rows[:max_rows], header
