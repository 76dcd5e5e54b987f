"""The shared shape of every input problem (mapping schema, reading, recoding, validation).

A `Problem` names the file, the column or key, the first offending rows and values, and the fix;
`InputError` carries every problem found, so a user fixes them all in one pass. Rows are numbered
as the user sees them in the source file (CSV line, Excel sheet row, SPSS/Stata case number).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

MAX_ROWS_SHOWN = 5


# How a source format numbers its rows, as its user sees them (the frame index's name).
ROW_WORDS = {"line": "lines", "sheet_row": "sheet rows", "case": "cases", "row": "rows"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a mapping or a data file, and what to do about it."""

    file: str
    where: str
    message: str
    fix: str = ""
    rows: tuple[int, ...] = ()
    n_rows: int = 0
    values: tuple[str, ...] = ()
    row_word: str = "rows"
    # The codebook variable the problem is about, and the variables whose problems would cause
    # this one (an answer outside the routing follows from a wrongly read filter item).
    variable: str = ""
    covers: tuple[str, ...] = ()  # further variables it is about (a sheet missing many columns)
    depends_on: tuple[str, ...] = ()
    following: tuple[str, ...] = ()  # where the problems folded under this one are

    def format(self) -> str:
        """A few readable lines: file and place, what is wrong, which rows and values, the fix."""
        lines = [f"{self.file}: {self.where}: {self.message}"]
        details = []
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows)
            more = self.n_rows - len(self.rows)
            details.append(f"{self.row_word} {shown}" + (f" (and {more} more)" if more > 0 else ""))
        if self.values:
            details.append("values " + ", ".join(self.values))
        if details:
            lines.append("    " + "; ".join(details))
        if self.fix:
            lines.append(f"    fix: {self.fix}")
        if self.following:
            count = len(self.following)
            shown = ", ".join(self.following[:MAX_ROWS_SHOWN])
            more = "" if count <= MAX_ROWS_SHOWN else ", ..."
            lines.append(
                f"    and {count} problem{'s that follow' if count != 1 else ' that follows'} "
                "from it "
                f"({shown}{more}): fix this one first"
            )
        return "\n".join(lines)


def fold_knock_on(problems: Sequence[Problem]) -> list[Problem]:
    """The problems with each one that follows from an earlier problem (`depends_on` names its
    variable) summarised under that one instead of listed: one wrongly read filter item would
    otherwise bury its own message under every answer outside the routing it decides."""
    first: dict[str, int] = {}
    for i, problem in enumerate(problems):
        if not problem.depends_on:
            for variable in filter(None, (problem.variable, *problem.covers)):
                first.setdefault(variable, i)
    folded: dict[int, list[str]] = {}
    kept = []
    for i, problem in enumerate(problems):
        causes = [first[v] for v in problem.depends_on if v in first and first[v] != i]
        if causes:
            folded.setdefault(min(causes), []).append(problem.where)
        else:
            kept.append(i)
    return [
        replace(problems[i], following=tuple(folded[i])) if i in folded else problems[i]
        for i in kept
    ]


class InputError(Exception):
    """Bad input (mapping or data): carries every problem found, printed as a few lines each."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        count = f"{len(self.problems)} problem" + ("s" if len(self.problems) != 1 else "")
        body = "\n".join(p.format() for p in self.problems)
        super().__init__(f"{count}:\n{body}")


def code_keys(values: pd.Series) -> pd.Series:
    """National codes as canonical text (1, 1.0 and "1" all become "1"), <NA> where missing.

    Mapping keys and file values are compared in this form, so that a code reads the same whether
    it came from YAML, a CSV (text), Excel or SPSS (floats).
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(object)
    out = pd.Series(pd.NA, index=values.index, dtype="string")
    present = values.notna()
    if pd.api.types.is_bool_dtype(values.dtype):
        out[present] = values[present].map({True: "true", False: "false"})
        return out
    if pd.api.types.is_numeric_dtype(values.dtype):
        numbers = pd.to_numeric(values, errors="coerce").astype(float)
        text = values[present].astype(str)
    else:
        text = values[present].astype(str).str.strip()
        numbers = pd.to_numeric(text, errors="coerce").reindex(values.index).astype(float)
        text = text.where(text != "")
    out[present] = text
    integral = numbers.notna() & np.isfinite(numbers) & (numbers == np.floor(numbers))
    out[integral] = numbers[integral].astype("int64").astype(str)
    return out


def code_key(value: object) -> str | None:
    """One national code as canonical text, as `code_keys` does for a column (pure Python: the
    mapping checker calls it for every recode key)."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    text = str(value).strip() if isinstance(value, str) else str(value)
    if text == "":
        return None
    try:
        number = float(text)
    except ValueError:
        return text
    if np.isfinite(number) and number == np.floor(number):
        return str(int(number))
    return text


def row_word(frame: pd.DataFrame) -> str:
    """What the frame's row numbers are called in its source file ('lines', 'cases', ...)."""
    return ROW_WORDS.get(frame.index.name or "row", "rows")


def offending(frame: pd.DataFrame, mask: pd.Series) -> tuple[tuple[int, ...], int]:
    """The first rows (source numbering) where mask holds, and how many there are."""
    rows = frame.index[np.asarray(mask, dtype=bool)]
    return tuple(int(r) for r in rows[:MAX_ROWS_SHOWN]), len(rows)
