"""Readers for national files (CSV, Excel, SPSS, Stata, SAS, Parquet) and the recodes that turn
one into the harmonised frame (docs/architecture.md). Every row keeps its number as the user sees
it in the source (the index: CSV line counting the header, Excel sheet row, SPSS/Stata/SAS case
number, Parquet row), so that problems can name rows.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from innobarometer.codebook import introduced_items, load_codebook, universe_mask
from innobarometer.harmonise.mapping import ONE_STRATUM, REQUIRED_DESIGN, ColumnMap, Mapping
from innobarometer.harmonise.problems import InputError, Problem, code_keys, offending, row_word
from innobarometer.paths import display_path
from innobarometer.wording import closest

LIKELY_DELIMITERS = (";", "\t", "|", ",")


class SourceError(InputError):
    """The national file cannot be read as the mapping describes it."""


@dataclass(frozen=True)
class SourceTable:
    """A national file as read: its columns, value labels (SPSS/Stata) and source row numbers."""

    path: Path
    format: str
    frame: pd.DataFrame
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    sheet: str | None = None  # the Excel sheet read
    sheets: tuple[str, ...] = ()  # every sheet of an Excel workbook

    @property
    def file(self) -> str:
        """The file's name in messages."""
        return display_path(self.path)

    def describe_values(self, column: str | None, codes: pd.Series) -> tuple[str, ...]:
        """The distinct offending codes, most frequent first, with their value labels and counts."""
        labels = self.value_labels.get(column, {}) if column else {}
        counts = codes.astype(str).value_counts(sort=True)
        return tuple(
            f"{code!r}" + (f" ({labels[code]!r})" if code in labels else "") + f" x{count}"
            for code, count in counts.head(5).items()
        )


def _numbered(frame: pd.DataFrame, first: int, name: str) -> pd.DataFrame:
    """The frame with its rows numbered from `first`, the index named for the row's kind."""
    frame.index = pd.RangeIndex(first, first + len(frame), name=name)
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _suggest_encoding(data: bytes) -> str:
    for encoding in ("cp1252", "latin-1"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    return "latin-1"


def _delimiter_hint(text: str, mapping: Mapping) -> str:
    """A fix when the header line is split more often by another delimiter than the declared one."""
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in LIKELY_DELIMITERS}
    best = max(counts, key=counts.get)
    if counts[best] <= counts.get(mapping.delimiter, 0):
        return ""
    return (
        f"the header line is separated by {best!r}, not {mapping.delimiter!r}: set "
        f"`delimiter: {best!r}` under source in {display_path(mapping.path)}"
    )


def _read_csv(mapping: Mapping, file: str) -> pd.DataFrame:
    data = mapping.source_path.read_bytes()
    # utf-8-sig reads plain UTF-8 too, and drops the byte-order mark Excel writes.
    encoding = "utf-8-sig" if mapping.encoding.lower().replace("_", "-") == "utf-8" else None
    try:
        text = data.decode(encoding or mapping.encoding)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        suggestion = _suggest_encoding(data)
        raise SourceError(
            [
                Problem(
                    file,
                    f"line {line}",
                    f"is not valid {mapping.encoding} (byte {data[error.start]:#x} at offset "
                    f"{error.start})",
                    f"set `encoding: {suggestion}` under source in "
                    f"{display_path(mapping.path)} (files saved by Excel on Windows are "
                    "usually cp1252)",
                )
            ]
        ) from None
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=mapping.delimiter,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=False,
        )
        header_breaks = sum(str(column).count("\n") for column in frame.columns)
    except pd.errors.ParserError as error:
        hint = _delimiter_hint(text, mapping)
        raise SourceError(
            [
                Problem(
                    file,
                    "(file)",
                    f"cannot be read as CSV with delimiter {mapping.delimiter!r}: "
                    + _physical_lines_in(
                        str(error).removeprefix("Error tokenizing data. C error: ").strip(), text
                    ),
                    hint or "check quoting and the number of fields on that line",
                )
            ]
        ) from None
    frame = _numbered(frame, 2, "line")
    frame.index = _record_lines(frame, header_breaks)
    swallowed = _swallowed_records(frame, mapping.delimiter)
    if swallowed:
        raise SourceError(
            [
                Problem(
                    file,
                    f"line {line}",
                    f"column {column}: a quoted field runs on over lines that look like whole "
                    "records, so those respondents would be lost (a stray double quote?)",
                    f'check the quoting of column {column} from line {line}: a " inside a field '
                    'is written "" (and the field quoted), or the field is left unquoted',
                )
                for line, column in swallowed
            ]
        )
    return frame[frame.notna().any(axis=1)]


def _swallowed_records(frame: pd.DataFrame, delimiter: str) -> list[tuple[int, str]]:
    """(line, column) of fields spanning lines where a later line holds at least a record's
    worth of delimiters: an unbalanced quote that took in whole records."""
    enough = len(frame.columns) - 1
    found = []
    for column in frame.columns:
        values = frame[column]
        spanning = values[values.str.contains("\n", regex=False, na=False)]
        for line, value in spanning.items():
            if enough and any(part.count(delimiter) >= enough for part in value.split("\n")[1:]):
                found.append((int(line), str(column)))
    return found


def _physical_lines_in(message: str, text: str) -> str:
    """pandas' "line N" (the N-th record) as the physical line where that record starts.

    A record ends at a line break outside double quotes; the quotes are counted as the CSV
    dialect writes them (a doubled "" inside a quoted field toggles twice).
    """
    codes = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    breaks = codes == ord("\n")
    quoted = np.cumsum(codes == ord('"')) % 2 == 1
    starts = np.r_[0, np.flatnonzero(breaks & ~quoted) + 1]
    lines_before = np.r_[0, np.cumsum(breaks)]

    def physical(match: re.Match) -> str:
        record = int(match.group(1))
        if not 1 <= record <= len(starts):
            return match.group(0)
        return f"line {int(lines_before[starts[record - 1]]) + 1}"

    return re.sub(r"\bline (\d+)", physical, message)


def _record_lines(frame: pd.DataFrame, header_breaks: int) -> pd.Index:
    """The physical line on which each CSV record starts, as an editor numbers it.

    The header is line 1; blank lines are records here (dropped after numbering); a quoted field
    that spans lines pushes every later record down by its line breaks.
    """
    breaks = frame.apply(lambda column: column.str.count("\n")).fillna(0).sum(axis=1)
    breaks = breaks.to_numpy(dtype=np.int64)
    first = 2 + header_breaks
    lines = first + np.arange(len(frame)) + np.cumsum(breaks) - breaks
    return pd.Index(lines, name="line")


def _read_excel(mapping: Mapping, file: str) -> tuple[pd.DataFrame, str, tuple[str, ...]]:
    with pd.ExcelFile(mapping.source_path, engine="openpyxl") as book:
        sheet = mapping.sheet if mapping.sheet is not None else 0
        names = book.sheet_names
        if (isinstance(sheet, str) and sheet not in names) or (
            isinstance(sheet, int) and not 0 <= sheet < len(names)
        ):
            raise SourceError(
                [
                    Problem(
                        file,
                        f"sheet {sheet!r}",
                        "no such sheet",
                        f"set `sheet:` under source to one of: {', '.join(map(repr, names))}",
                    )
                ]
            )
        frame = pd.read_excel(
            book, sheet_name=sheet, dtype=object, keep_default_na=False, na_values=[""]
        )
    # Sheet row 1 is the header; pandas keeps blank rows inside the table, so numbering holds.
    frame = _numbered(frame, 2, "sheet_row")
    read = sheet if isinstance(sheet, str) else names[sheet]
    return frame[frame.notna().any(axis=1)], read, tuple(names)


def _read_stat(mapping: Mapping) -> tuple[pd.DataFrame, dict]:
    # lazy: only SPSS, Stata and SAS files need it
    import pyreadstat

    # Stored numeric codes, not labels: mappings recode the codes; labels are used in messages.
    # (SAS readers never apply formats to the values; a catalog only names them.)
    options: dict = {"apply_value_formats": False}
    if mapping.format == "spss":
        reader = pyreadstat.read_sav
    elif mapping.format == "stata":
        reader = pyreadstat.read_dta
    elif mapping.format == "sas":
        options = {}
        reader = pyreadstat.read_sas7bdat
        if mapping.catalog is not None:  # value labels live in a separate format catalog
            options["catalog_file"] = str(mapping.catalog)
    else:
        reader, options = pyreadstat.read_xport, {}
    # Declared missing values (SPSS user-missing, Stata .a-.z) arrive as missing.
    frame, meta = reader(str(mapping.source_path), **options)
    labels = {
        column: dict(zip(code_keys(pd.Series(list(table))), map(str, table.values())))
        for column, table in meta.variable_value_labels.items()
    }
    return _numbered(frame, 1, "case"), labels


def read_source(mapping: Mapping) -> SourceTable:
    """The national file a mapping points at, read as its format says; SourceError if unreadable."""
    file = display_path(mapping.source_path)
    if not mapping.source_path.is_file():
        raise SourceError(
            [
                Problem(
                    display_path(mapping.path),
                    "key source.file",
                    f"the national file {file} does not exist",
                    "put the file there or fix `file:` (relative to the mapping file)",
                )
            ]
        )
    labels: dict = {}
    sheet, sheets = None, ()
    try:
        if mapping.format == "csv":
            frame = _read_csv(mapping, file)
        elif mapping.format == "excel":
            frame, sheet, sheets = _read_excel(mapping, file)
        elif mapping.format in ("spss", "stata", "sas", "xport"):
            frame, labels = _read_stat(mapping)
        else:
            frame = _numbered(pd.read_parquet(mapping.source_path), 1, "row")
    except SourceError:
        raise
    except Exception as error:  # readers raise many types; all mean "cannot read this file"
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise SourceError(
            [
                Problem(
                    file,
                    "(file)",
                    f"cannot be read as {mapping.format}: {reason}",
                    f"check that the file is a {mapping.format} file and not damaged, or set "
                    f"`format:` under source in {display_path(mapping.path)}",
                )
            ]
        ) from None
    return SourceTable(mapping.source_path, mapping.format, frame, labels, sheet, sheets)


def _missing_columns(source: SourceTable, mapping: Mapping) -> list[Problem]:
    """A problem for every mapped national column the file does not have."""
    available = list(source.frame.columns)
    if len(available) == 1 and any(d in available[0] for d in LIKELY_DELIMITERS):
        delimiter = next(d for d in LIKELY_DELIMITERS if d in available[0])
        # One wrong delimiter would otherwise be reported once for every mapped column.
        return [
            Problem(
                source.file,
                f"column {available[0][:40]!r}...",
                "the file was read as one column, so no mapped column is found",
                f"set `delimiter: {delimiter!r}` under source in {display_path(mapping.path)}",
            )
        ]
    problems = []
    where = source.file
    if source.sheet is not None:
        where += f" (sheet {source.sheet!r})"
    for column_map in mapping.columns.values():
        for column in column_map.source_columns:
            if column in available:
                continue
            match = closest(column, available)
            fix = f"did you mean {match!r}? " if match is not None else ""
            fix += f"Fix {column_map.key_path} in {display_path(mapping.path)}"
            problems.append(
                Problem(
                    where,
                    f"column {column}",
                    f"not in the file (mapped at {column_map.key_path})",
                    fix,
                    variable=column_map.variable,
                )
            )
    mapped = sum(len(m.source_columns) for m in mapping.columns.values())
    if source.sheet is not None and problems and 2 * len(problems) > mapped:
        # Most mapped columns missing: the wrong sheet (or the wrong file), not many typos.
        shown = ", ".join(p.where.removeprefix("column ") for p in problems[:5])
        others = [s for s in source.sheets if s != source.sheet]
        return [
            Problem(
                where,
                "(sheet)",
                f"{len(problems)} of the {mapped} mapped columns are not on sheet "
                f"{source.sheet!r}, the sheet that was read ({shown}, ...); the workbook's sheets: "
                f"{', '.join(map(repr, source.sheets))}",
                f"set `sheet: {others[0]!r}` (or the sheet that holds the data) under source in "
                f"{display_path(mapping.path)}"
                if others
                else "check that this is the right file",
                covers=tuple(dict.fromkeys(p.variable for p in problems)),
            )
        ]
    return problems


def _uncovered(source, mapping, column_map, column, keys, mask, message, fix) -> Problem:
    rows, count = offending(source.frame, mask)
    return Problem(
        source.file,
        f"column {column} ({column_map.key_path})",
        f"{count} rows {message}",
        f"{fix} in {display_path(mapping.path)}, or list the codes under missing_values if they "
        "mean no answer",
        rows,
        count,
        source.describe_values(column, keys[mask]),
        row_word(source.frame),
        variable=column_map.variable,
    )


IDENTIFIERS = ("unit_id", "stratum")


def _map_column(source, mapping, column_map: ColumnMap, variable, absent_codes, problems):
    raw = source.frame[column_map.column]
    keys = code_keys(raw)
    absent = keys.isna() | keys.isin(absent_codes)
    if column_map.recode is not None:
        covered = keys.isin(list(column_map.recode))
        uncovered = ~absent & ~covered
        if uncovered.any():
            problems.append(
                _uncovered(
                    source,
                    mapping,
                    column_map,
                    column_map.column,
                    keys,
                    uncovered,
                    "hold codes the recode does not cover",
                    f"add them to {column_map.key_path}.recode",
                )
            )
        recoded = keys.astype(object).map(column_map.recode)
        return recoded.where(~absent & covered, None).astype(object)
    if variable.dtype == "float":
        if mapping.decimal == "," and not pd.api.types.is_numeric_dtype(raw.dtype):
            raw = raw.astype("string").str.strip().str.replace(",", ".", regex=False)
        return raw.astype(object).where(~absent, None)
    if variable.name in IDENTIFIERS and not pd.api.types.is_numeric_dtype(raw.dtype):
        # Identifiers written as text stay as written: "00123" is not "123", and ids beyond
        # 2**53 must not merge through floating point.
        text = raw.astype("string").str.strip()
        return text.astype(object).where(~absent & (text != ""), None)
    return keys.astype(object).where(~absent, None)


def _map_options(source, mapping, column_map: ColumnMap, absent_codes, problems):
    """One 1/0 column per option: `selected` codes 1, `not_selected` codes 0, any other code
    reported and left missing (a stray 9 or "x" is never read as "not ticked"). A blank cell in a
    row that answers the item is not ticked (files often leave unticked boxes empty: SPSS
    dichotomy sets, checkbox exports); a row with every option blank or missing was not asked,
    unless the mapping says `blank: none_ticked` (then a row of blanks ticked nothing)."""
    keys = {opt: code_keys(source.frame[col]) for opt, col in column_map.options.items()}
    absent = pd.DataFrame({opt: k.isna() | k.isin(absent_codes) for opt, k in keys.items()})
    none_answered = absent.all(axis=1)
    if column_map.blank_reading == "none_ticked":
        none_answered &= ~pd.DataFrame({opt: k.isna() for opt, k in keys.items()}).all(axis=1)
    columns = {}
    for option, k in keys.items():
        ticked = k.isin(column_map.selected) & ~absent[option]
        unticked = k.isin(column_map.not_selected) & ~absent[option]
        uncovered = ~absent[option] & ~ticked & ~unticked
        if uncovered.any():
            problems.append(
                _uncovered(
                    source,
                    mapping,
                    column_map,
                    column_map.options[option],
                    k,
                    uncovered,
                    "hold codes listed neither under selected nor under not_selected",
                    f"add them to {column_map.key_path}.selected (ticked) or "
                    f"{column_map.key_path}.not_selected (not ticked)",
                )
            )
        values = pd.Series(pd.NA, index=k.index, dtype="Int8")
        values[unticked | (k.isna() & ~none_answered)] = 0
        values[ticked] = 1
        columns[f"{column_map.variable}_{option}"] = values.mask(none_answered)
    return columns


def _map_delimited(source, mapping, column_map: ColumnMap, absent_codes, problems):
    """One column of codes separated by `delimiter`: an option is ticked when its code is in the
    cell. A blank cell ticked nothing (`blank: none_ticked`, the default) or gave no answer."""
    keys = code_keys(source.frame[column_map.column])
    absent = keys.isna() | keys.isin(absent_codes)
    parts = keys[~absent].str.split(column_map.delimiter, regex=False).explode()
    no_answer = keys.isin(absent_codes).fillna(False)
    if column_map.blank_reading == "no_answer":
        no_answer |= keys.isna()
    return _ticked_codes(source, mapping, column_map, parts, no_answer, column_map.column, problems)


def _map_slots(source, mapping, column_map: ColumnMap, absent_codes, problems):
    """Slot columns, each the code of one choice (a code repeated across slots counts once). A
    unit whose slots are all blank ticked nothing (`blank: none_ticked`, the default) or gave no
    answer; one whose slots hold only missing codes gave no answer."""
    keys = pd.DataFrame({slot: code_keys(source.frame[slot]) for slot in column_map.slots})
    chosen = keys.notna() & ~keys.isin(absent_codes)
    no_answer = ~chosen.any(axis=1) & keys.notna().any(axis=1)
    if column_map.blank_reading == "no_answer":
        no_answer |= keys.isna().all(axis=1)
    parts = keys.where(chosen).stack().dropna()  # index (row, slot)
    parts.index = parts.index.get_level_values(0)
    where = ", ".join(column_map.slots)
    return _ticked_codes(source, mapping, column_map, parts, no_answer, where, problems)


def _ticked_codes(source, mapping, column_map, parts, no_answer, column, problems):
    """1/0 option columns from the codes each unit chose (`parts`: one code per entry, indexed
    by row); codes not under `codes` are reported; `no_answer` rows are missing."""
    rows = parts.index  # a row appears once per code chosen: code them by position
    parts = code_keys(parts.astype("string").reset_index(drop=True)).set_axis(rows).dropna()
    options = parts.map(column_map.codes)
    unknown = options.isna()
    if unknown.any():
        rows_mask = source.frame.index.isin(parts.index[unknown])
        problems.append(
            _uncovered(
                source,
                mapping,
                column_map,
                column,
                pd.Series(parts[unknown].to_numpy(), index=parts.index[unknown]),
                pd.Series(rows_mask, index=source.frame.index),
                "hold codes not listed under codes",
                f"add them to {column_map.key_path}.codes",
            )
        )
    ticked = pd.crosstab(options[~unknown].index, options[~unknown]) > 0
    ticked = ticked.reindex(index=source.frame.index, fill_value=False)
    index = source.frame.index
    no_answer = pd.Series(np.asarray(no_answer, dtype=bool), index=index)
    return {
        f"{column_map.variable}_{opt}": ticked.get(opt, pd.Series(False, index=index))
        .astype("Int8")
        .mask(no_answer)
        for opt in column_map.mapped_options
    }


def blank_units(source: SourceTable, column_map: ColumnMap) -> pd.Series:
    """Where every national cell of a multiple-response item is blank (how they read is
    `column_map.blank_reading`); `check` counts them inside the item's universe."""
    cells = pd.DataFrame({c: code_keys(source.frame[c]) for c in column_map.source_columns})
    return cells.isna().all(axis=1)


def _as_codes(values: pd.Series) -> pd.Series:
    """Integer codes as Int8 when every value is a whole number; otherwise left for validation."""
    numbers = pd.to_numeric(values, errors="coerce")
    if (values.notna() & numbers.isna()).any():
        return values
    whole = numbers.dropna()
    if not (whole == np.floor(whole)).all():
        return numbers
    fits = whole.between(-128, 127).all()
    return numbers.astype("Int8" if fits else "Int64")


def _as_float(values: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    return values if (values.notna() & numbers.isna()).any() else numbers.astype("float64")


def _as_category(values: pd.Series, categories, coarsenings=()) -> pd.Series:
    """Codebook categories in codebook order, then the coarser classes the file uses, then any
    others (sorted), as a pandas category."""
    text = values.astype("string")
    used = set(text.dropna())
    known = [str(c) for c in categories or ()] + [c for c in coarsenings if c in used]
    extra = sorted(set(text.dropna()) - set(known))
    return pd.Series(pd.Categorical(text, categories=known + extra), index=values.index)


def derive_innovative(frame: pd.DataFrame, codebook) -> pd.Series:
    """1 if any introduced_* item is 1; 0 if none is 1 and at least one is 0; missing otherwise."""
    columns = introduced_items(codebook)
    items = pd.DataFrame({c: pd.to_numeric(frame[c], errors="coerce") for c in columns})
    any_yes = (items == 1).any(axis=1)
    any_no = (items == 0).any(axis=1)
    innovative = pd.Series(pd.NA, index=frame.index, dtype="Int8")
    innovative[any_no] = 0
    innovative[any_yes] = 1
    return innovative


def _typed(frame: pd.DataFrame, codebook) -> pd.DataFrame:
    """Every codebook column, in codebook order, stored as docs/architecture.md says.

    Items become Int8 and string columns categories (unit_id plain text); a column that cannot take
    its type is left as it is for validation to report.
    """
    typed = {}
    for variable in codebook.variables.values():
        for column in variable.columns:
            values = frame[column] if column in frame else pd.Series(None, index=frame.index)
            if variable.is_item:
                typed[column] = _as_codes(values)
            elif variable.dtype == "float":
                typed[column] = _as_float(values)
            elif variable.dtype == "integer":
                typed[column] = _as_codes(values).astype("Int64")
            elif column == "unit_id":
                typed[column] = values.astype("str")
            else:
                typed[column] = _as_category(values, variable.categories, variable.coarsenings)
    return pd.DataFrame(typed, index=frame.index)


def _blank_unasked(frame: pd.DataFrame, codebook) -> pd.DataFrame:
    """Multiple-response rows with nothing ticked outside the item's universe: not asked (<NA>).

    National files often store 'not ticked' for units the question skipped; with nothing ticked
    such a row carries no answer. A tick outside the universe is kept for validation to report.
    """

    for variable in codebook.variables.values():
        if variable.type != "multiple" or variable.universe == "all":
            continue
        columns = list(variable.columns)
        nothing_ticked = ~(frame[columns] == 1).fillna(False).any(axis=1)
        outside = ~np.asarray(universe_mask(frame, variable.universe), dtype=bool)
        frame.loc[nothing_ticked & outside, columns] = pd.NA
    return frame


def harmonise(
    source: SourceTable, mapping: Mapping, codebook=None
) -> tuple[pd.DataFrame, list[Problem]]:
    """The harmonised frame of a national file, and the problems met while recoding it.

    Values a recode does not cover become missing and are reported; anything else odd (unknown
    codes, text in a numeric column) is left in place for `validate.find_problems` to report.
    """
    if codebook is None:
        codebook = load_codebook()
    problems = _missing_columns(source, mapping)
    mapped = {c for column_map in mapping.columns.values() for c in column_map.source_columns}
    absent_columns = mapped - set(source.frame.columns)
    index = source.frame.index
    columns: dict[str, pd.Series] = {}
    for name, column_map in mapping.columns.items():
        if set(column_map.source_columns) & absent_columns:
            continue
        # The file-wide "no answer" codes are answer codes: an id, weight or stratum of 99 is data.
        file_wide = () if name in REQUIRED_DESIGN else mapping.missing_values
        absent_codes = list(dict.fromkeys(file_wide + column_map.missing_values))
        variable = codebook.variables[name]
        if column_map.kind == "column":
            columns[name] = _map_column(
                source, mapping, column_map, variable, absent_codes, problems
            )
        elif column_map.kind == "options":
            columns.update(_map_options(source, mapping, column_map, absent_codes, problems))
        elif column_map.kind == "slots":
            columns.update(_map_slots(source, mapping, column_map, absent_codes, problems))
        else:
            columns.update(_map_delimited(source, mapping, column_map, absent_codes, problems))
    for name, value in mapping.constants.items():
        columns[name] = pd.Series([value] * len(index), index=index, dtype=object)
    if mapping.without_strata:  # weights only: one stratum, no population count
        columns["stratum"] = pd.Series(ONE_STRATUM, index=index, dtype=object)
    columns["country"] = pd.Series(mapping.country, index=index)
    columns["edition"] = pd.Series(mapping.edition, index=index)
    columns["unit_level"] = pd.Series(mapping.unit_level, index=index)
    frame = _typed(pd.DataFrame(columns, index=index), codebook)
    if mapping.derives_innovative:
        frame["innovative"] = derive_innovative(frame, codebook)
    return _blank_unasked(frame, codebook), problems
