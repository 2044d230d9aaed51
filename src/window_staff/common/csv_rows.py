"""Reading an uploaded CSV into rows, for the imports (service transactions, queue events): the file-level checks every
import shares, each problem with its line and column; what a row means is the importing domain's."""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem: the line (CSV line, or 1-based position in a JSON list), the column, and what is wrong."""

    line: int
    column: str | None
    message: str

    def as_dict(self) -> dict[str, object]:
        """The problem-details form."""
        return {"line": self.line, "column": self.column, "message": self.message}


@dataclass(frozen=True, slots=True)
class RawRow:
    """One row as sent: every column as stripped text ('' when empty)."""

    line: int
    values: Mapping[str, str]


def header_problems(names: Sequence[str], *, columns: Collection[str], required: Collection[str]) -> list[RowError]:
    """What is wrong with a header row: a column twice, an unknown one, a required one missing."""
    problems = [RowError(1, name or None, f"column {name!r} appears twice") for i, name in enumerate(names) if name in names[:i]]
    problems += [RowError(1, name or None, f"unknown column {name!r}") for name in names if name not in columns]
    problems += [RowError(1, name, f"missing column {name!r}") for name in columns if name in required and name not in names]
    return problems


def read_rows(data: bytes, *, columns: Sequence[str], required: Collection[str], max_rows: int) -> tuple[list[RawRow], list[RowError]]:
    """Split a UTF-8 CSV (BOM or not; header row required) into rows; file-level problems stop at the first."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [RowError(data[: exc.start].count(b"\n") + 1, None, 'the file is not UTF-8 text (save it as "CSV UTF-8")')]
    if "\x00" in text:
        return [], [RowError(text[: text.index("\x00")].count("\n") + 1, None, "the file holds NUL bytes: not a CSV text file")]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            return [], [RowError(1, None, "the file is empty: a header row is required")]
        names = [h.strip().lower() for h in header]
        problems = header_problems(names, columns=columns, required=required)
        if problems:
            return [], problems
        rows: list[RawRow] = []
        errors: list[RowError] = []
        previous_end = reader.line_num
        for record in reader:
            line, previous_end = previous_end + 1, reader.line_num
            if not record or all(not cell.strip() for cell in record):
                continue  # blank lines (and a trailing empty one) carry nothing
            if len(rows) + len(errors) >= max_rows:
                return [], [RowError(line, None, f"more than {max_rows:,} rows: split the file")]
            if len(record) != len(names):
                errors.append(RowError(line, None, f"{len(record)} fields, the header has {len(names)}"))
                continue
            rows.append(RawRow(line, {name: cell.strip() for name, cell in zip(names, record, strict=True)}))
    except csv.Error as exc:
        return [], [RowError(reader.line_num, None, f"malformed CSV: {exc}")]
    if not rows and not errors:
        return [], [RowError(2, None, "the file has a header but no rows")]
    return rows, errors
