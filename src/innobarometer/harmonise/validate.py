"""Validation of a harmonised frame against the codebook and the design; every problem collected
and reported at once, as `harmonise.problems.Problem`s."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from innobarometer.codebook import (
    CODED_TYPES,
    Codebook,
    allowed_codes,
    introduced_items,
    load_codebook,
    required_columns,
    universe_mask,
)
from innobarometer.harmonise.problems import (
    MAX_ROWS_SHOWN,
    InputError,
    Problem,
    code_keys,
    fold_knock_on,
    offending,
    row_word,
)
from innobarometer.paths import display_path

if TYPE_CHECKING:
    from innobarometer.harmonise.ingest import SourceTable
    from innobarometer.harmonise.mapping import Mapping


def _design_columns(codebook: Codebook) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The required design columns a national file provides: positive numbers (weight, stratum
    population: dtype float) and identifiers (unit id, stratum: text with no closed list)."""
    design = [v for v in codebook.variables.values() if v.required and v.type == "design"]
    design = [v for v in design if not v.categories]
    numbers = tuple(v.name for v in design if v.dtype == "float")
    identifiers = tuple(v.name for v in design if v.dtype == "string")
    return numbers, identifiers


class DataValidationError(InputError):
    """The harmonised frame does not fit the codebook or the design."""


@dataclass(frozen=True)
class _Context:
    """What every check needs to word its problem: the frame, the files and the mapping."""

    frame: pd.DataFrame
    file: str
    mapping_file: str
    mapping: Mapping | None
    source: SourceTable | None

    def where(self, column: str) -> str:
        """'column X (national column q1)' when the mapping says where X came from."""
        variable = column
        if self.mapping is not None:
            # An option column `<item>_<option>` belongs to its multiple-response item.
            items = [n for n, m in self.mapping.columns.items() if m.kind != "column"]
            if column not in self.mapping.columns:
                variable = next((n for n in items if column.startswith(f"{n}_")), column)
            column_map = self.mapping.columns.get(variable)
            if column_map is not None and column_map.kind in ("column", "delimited"):
                return f"column {column} (national column {column_map.column})"
            if column_map is not None and column_map.kind == "slots":
                return f"column {column} (national columns {', '.join(column_map.slots)})"
            option = column.removeprefix(f"{variable}_")
            if column_map is not None and option in (column_map.options or {}):
                return f"column {column} (national column {column_map.options[option]})"
            if variable in self.mapping.constants:
                return f"column {column} (constants.{variable})"
        return f"column {column}"

    def national(self, column: str) -> str | None:
        """The national column a harmonised column was read from unchanged (no recode), if any."""
        column_map = self.mapping.columns.get(column) if self.mapping else None
        if column_map is None or column_map.kind != "column" or column_map.recode is not None:
            return None
        return column_map.column

    def decimal_fix(self, column: str) -> str:
        """The fix for a numeric column of a CSV written with decimal commas ('' otherwise)."""
        values = self.frame[column].dropna().astype(str)
        commas = values.str.fullmatch(r"\s*-?\d+,\d+\s*")
        if not commas.any() or self.mapping is None or self.mapping.format != "csv":
            return ""
        if self.mapping.decimal == ",":
            return ""
        return (
            f"the file writes decimal commas (e.g. {values[commas].iloc[0]!r}): set "
            f'`decimal: ","` under source in {self.mapping_file} (with `delimiter: ";"`)'
        )

    def problem(
        self, column: str, mask, message: str, fix: str, values=None, depends_on=()
    ) -> Problem:
        """A problem at the rows where mask holds, showing their distinct values."""
        mask = pd.Series(np.asarray(mask, dtype=bool), index=self.frame.index)
        rows, count = offending(self.frame, mask)
        if values is None:
            values = self.frame.loc[mask, column]
        if self.source is not None:
            shown = self.source.describe_values(self.national(column), code_keys(values))
        else:
            counts = values.astype(str).value_counts()
            shown = tuple(f"{v!r} x{n}" for v, n in counts.head(MAX_ROWS_SHOWN).items())
        return Problem(
            self.file,
            self.where(column),
            f"{count} rows {message}",
            fix,
            rows,
            count,
            shown,
            row_word(self.frame),
            variable=_variable_of(column),
            depends_on=tuple(depends_on),
        )


def _variable_of(column: str) -> str:
    """The codebook variable of a frame column ('' for a column the codebook lacks)."""
    codebook = load_codebook()
    try:
        return codebook.variable_of(column).name
    except KeyError:
        return column if column in codebook else ""


def deciding_variables(universe: str | None, codebook: Codebook) -> tuple[str, ...]:
    """The variables that decide who is in a universe: a problem reading one of them makes
    every routing problem of an item asked of that universe follow from it."""
    if universe in (None, "all"):
        return ()
    innovators = ("innovative", *introduced_items(codebook))
    return innovators + {"adapters_and_copiers": ("novelty",), "collaborators": ("partner",)}.get(
        universe, ()
    )


def _not_numbers(values: pd.Series) -> pd.Series:
    """Where a value is present but not a number (text in a numeric column)."""
    if pd.api.types.is_numeric_dtype(values.dtype):
        return pd.Series(False, index=values.index)
    return values.notna() & pd.to_numeric(values, errors="coerce").isna()


def _check_codes(
    ctx: _Context, column: str, allowed: dict, variable_name: str, ordinal: bool = False
) -> list[Problem]:
    """Text where codes belong, and codes the codebook does not define."""
    values = ctx.frame[column]
    listed = ", ".join(f"{c} {label}" for c, label in allowed.items())
    text = _not_numbers(values)
    numbers = pd.to_numeric(values.where(~text), errors="coerce")
    fraction = numbers.notna() & (numbers != np.floor(numbers))
    problems = []
    if (text | fraction).any():
        problems.append(
            ctx.problem(
                column,
                text | fraction,
                "hold text or fractions where integer codes belong",
                f"add a recode to columns.{variable_name} in {ctx.mapping_file} from these values "
                f"to the codebook's codes ({listed}), or list them under missing_values",
            )
        )
    unknown = numbers.notna() & ~fraction & ~numbers.isin([float(c) for c in allowed])
    if unknown.any():
        substantive = [c for c in allowed if c not in load_codebook().non_substantive_labels]
        longer = ordinal and numbers[unknown].max() > max(substantive, default=0)
        hint = (
            "the national scale looks longer than the codebook's: add a recode (a scale "
            "conversion, with its rule written under `rule:`)"
            if longer
            else "a recode is missing: add one"
        )
        problems.append(
            ctx.problem(
                column,
                unknown,
                f"hold codes the codebook does not define for {variable_name} ({listed})",
                f"{hint} to columns.{variable_name} in {ctx.mapping_file}; codes meaning no "
                "answer go under missing_values",
            )
        )
    return problems


def _check_categories(ctx: _Context, column: str, allowed) -> list[Problem]:
    values = ctx.frame[column].astype("string")
    unknown = values.notna() & ~values.isin([str(c) for c in allowed])
    if not unknown.any():
        return []
    return [
        ctx.problem(
            column,
            unknown,
            f"hold values that are not codes of {column} ({', '.join(map(str, allowed))})",
            f"add a recode to columns.{column} in {ctx.mapping_file} from the national values to "
            "these codes (or set it under constants)",
        )
    ]


def _check_variables(ctx: _Context, codebook: Codebook) -> list[Problem]:
    """Every codebook column: the right type and only codes the codebook defines."""
    problems = []
    numbers, identifiers = _design_columns(codebook)
    for variable in codebook.variables.values():
        for column in variable.columns:
            # The design columns are checked by _check_design.
            if column not in ctx.frame or column in numbers + identifiers:
                continue
            if variable.type == "multiple" or variable.type in CODED_TYPES:
                allowed = allowed_codes(variable, codebook)
                ordinal = variable.type == "ordinal"
                problems += _check_codes(ctx, column, allowed, variable.name, ordinal)
            elif variable.type == "numeric" and _not_numbers(ctx.frame[column]).any():
                problems.append(
                    ctx.problem(
                        column,
                        _not_numbers(ctx.frame[column]),
                        "hold text in a numeric column",
                        ctx.decimal_fix(column)
                        or "recode or list these values under missing_values in "
                        + ctx.mapping_file,
                    )
                )
            elif variable.categories:  # background and design columns with a closed list
                allowed = [*variable.categories, *variable.coarsenings]
                problems += _check_categories(ctx, column, allowed)
        if variable.type == "multiple" and variable.max_choices:
            problems += _check_max_choices(ctx, variable)
    return problems


def _check_max_choices(ctx: _Context, variable) -> list[Problem]:
    """At most `max_choices` options ticked (e.g. initiators: up to three): more usually means an
    inverted `selected` or swapped option columns in the mapping."""
    columns = [c for c in variable.columns if c in ctx.frame]
    ticked = (ctx.frame[columns] == 1).fillna(False).sum(axis=1)
    over = ticked > variable.max_choices
    if not over.any():
        return []
    named = next(c for c in columns if ((ctx.frame[c] == 1).fillna(False) & over).any())
    column_map = ctx.mapping.columns.get(variable.name) if ctx.mapping else None
    fix = f"check `selected` and the option columns of {variable.name} in {ctx.mapping_file}"
    if column_map is not None and column_map.kind in ("slots", "delimited"):
        fix = (
            f"these rows chose more distinct codes than {variable.name} allows: check "
            f"columns.{variable.name}.codes in {ctx.mapping_file} (two national codes meaning "
            "one option?) and the national file"
        )
    return [
        ctx.problem(
            named,
            over,
            f"tick more than {variable.max_choices} options of {variable.name}, which allows "
            f"at most {variable.max_choices}",
            fix,
        )
    ]


def _check_required(ctx: _Context, codebook: Codebook) -> list[Problem]:
    problems = []
    for column in required_columns(codebook):
        if column == "stratum_population" and ctx.mapping and ctx.mapping.without_strata:
            continue  # weights only: no finite population correction
        if column not in ctx.frame or ctx.frame[column].isna().all():
            if column in ("country", "edition", "unit_level"):
                fix = f"set `{column}:` at the top of {ctx.mapping_file}"
            elif column == "innovative":
                fix = (
                    f"map {column} (or the introduced_* items it is derived from) under columns "
                    f"in {ctx.mapping_file}"
                )
            else:
                fix = f"map {column} under columns in {ctx.mapping_file}"
            derived = column == "innovative" and (
                ctx.mapping is None or ctx.mapping.derives_innovative
            )
            problems.append(
                Problem(
                    ctx.file,
                    f"column {column}",
                    "required column is missing (not mapped, or every value empty)",
                    fix,
                    variable=column,
                    depends_on=introduced_items(codebook) if derived else (column,),
                )
            )
    return problems


def _check_design(ctx: _Context, codebook: Codebook) -> list[Problem]:
    """Weights, unit ids, strata and their population counts."""
    frame, problems = ctx.frame, []
    numbers, identifiers = _design_columns(codebook)
    present = [c for c in numbers + identifiers if c in frame and frame[c].notna().any()]
    for column in numbers:
        if column not in present:
            continue
        text = _not_numbers(frame[column])
        if text.any():
            problems.append(
                ctx.problem(
                    column,
                    text,
                    f"hold text in the numeric column {column}",
                    ctx.decimal_fix(column)
                    or f"map {column} to a numeric column in {ctx.mapping_file}, or list "
                    "no-answer codes under missing_values",
                )
            )
        numbers = pd.to_numeric(frame[column].where(~text), errors="coerce")
        if numbers[~text].isna().any():
            problems.append(
                ctx.problem(
                    column,
                    ~text & numbers.isna(),
                    f"have no {column}",
                    f"every responding unit needs a {column}: fix the national file or the "
                    f"mapping ({ctx.mapping_file})",
                )
            )
        not_positive = numbers.notna() & ~(np.isfinite(numbers) & (numbers > 0))
        if not_positive.any():
            problems.append(
                ctx.problem(
                    column,
                    not_positive,
                    f"have a zero, negative or infinite {column}",
                    f"{column} must be positive: check the national column mapped in "
                    f"{ctx.mapping_file}",
                )
            )
    for column in identifiers:
        if column in present and frame[column].isna().any():
            problems.append(
                ctx.problem(
                    column,
                    frame[column].isna(),
                    f"have no {column}",
                    f"every responding unit needs a {column}: fix the national file or the mapping",
                )
            )
    if "unit_id" in present:
        duplicated = frame["unit_id"].notna() & frame["unit_id"].duplicated(keep=False)
        if duplicated.any():
            problems.append(
                ctx.problem(
                    "unit_id",
                    duplicated,
                    "share their unit_id with another row",
                    "unit_id must identify one responding unit: remove duplicated rows or map "
                    f"the right id column in {ctx.mapping_file}",
                )
            )
    if {"stratum", "stratum_population"} <= set(present):
        problems += _check_strata(ctx)
    return problems


def _check_strata(ctx: _Context) -> list[Problem]:
    """Population counts constant within a stratum and at least its number of respondents."""
    frame = ctx.frame
    stratum = frame["stratum"].astype("string")
    population = pd.to_numeric(frame["stratum_population"], errors="coerce")
    usable = stratum.notna() & population.notna()
    groups = population[usable].groupby(stratum[usable])
    problems = []
    varying = groups.nunique() > 1
    if varying.any():
        mask = usable & stratum.isin(varying.index[varying])
        problems.append(
            ctx.problem(
                "stratum_population",
                mask,
                f"belong to strata whose stratum_population is not constant "
                f"({', '.join(varying.index[varying][:MAX_ROWS_SHOWN])})",
                "stratum_population is the population count of the stratum: one value per "
                f"stratum; check the stratum and stratum_population columns in {ctx.mapping_file}",
            )
        )
    respondents = stratum[usable].value_counts()
    largest = groups.max()
    over = respondents[respondents > largest.reindex(respondents.index)]
    if len(over):
        mask = usable & stratum.isin(over.index)
        shown = stratum[mask] + " (" + stratum[mask].map(respondents).astype(str) + " respondents, "
        shown = shown + "population " + stratum[mask].map(largest).astype(str) + ")"
        problems.append(
            ctx.problem(
                "stratum_population",
                mask,
                "are in strata with more respondents than stratum_population",
                "a stratum cannot have more respondents than population units: check that "
                "stratum and stratum_population are the right columns and that the population "
                "counts are for the same strata",
                values=shown,
            )
        )
    return problems


def _check_universes(ctx: _Context, codebook: Codebook) -> list[Problem]:
    """Answers from units the question was not asked of (e.g. innovator-only items)."""
    frame, problems = ctx.frame, []
    if "innovative" not in frame or frame["innovative"].isna().all():
        return problems
    if ctx.mapping is not None and not ctx.mapping.derives_innovative:
        present = [c for c in introduced_items(codebook) if c in frame]
        items = pd.DataFrame({c: pd.to_numeric(frame[c], errors="coerce") for c in present})
        clash = (frame["innovative"] == 0).fillna(False) & (items == 1).any(axis=1)
        if clash.any():
            problems.append(
                ctx.problem(
                    "innovative",
                    clash,
                    "have innovative = 0 but answered yes to an introduced_* item",
                    f"check the innovative and introduced_* columns in {ctx.mapping_file}",
                )
            )
    for variable in codebook.variables.values():
        if variable.universe in (None, "all") or variable.type in ("design", "background"):
            continue
        columns = [c for c in variable.columns if c in frame]
        if not columns:
            continue
        answers = frame[columns]
        if variable.type == "multiple":
            answered = (answers == 1).fillna(False).any(axis=1)
        else:
            answered = answers.notna().any(axis=1)
        inside = pd.Series(np.asarray(universe_mask(frame, variable.universe), dtype=bool))
        outside = answered & ~inside.set_axis(frame.index)
        if outside.any():
            # Name the column that holds the stray answers (for multiple response: an option
            # ticked on those rows), so the message shows the values that are in the file.
            named = next(c for c in columns if (answers[c].notna() & outside).any())
            if variable.type == "multiple":
                named = next(
                    c for c in columns if ((answers[c] == 1).fillna(False) & outside).any()
                )
            problems.append(
                ctx.problem(
                    named,
                    outside,
                    f"answer {variable.name}, asked of {variable.universe} only, but are not "
                    "in that group",
                    "check the questionnaire routing: if these units belong to the group, check "
                    "how innovative (introduced_*) and the filter items are mapped in "
                    f"{ctx.mapping_file}; if the answers are filler codes for 'not asked', list "
                    "them under missing_values",
                    depends_on=deciding_variables(variable.universe, codebook),
                )
            )
    return problems


def find_problems(
    frame: pd.DataFrame,
    mapping: Mapping | None = None,
    source: SourceTable | None = None,
    codebook: Codebook | None = None,
) -> list[Problem]:
    """Every problem of a harmonised frame against the codebook and the design."""
    codebook = codebook or load_codebook()
    if source is not None:
        file = source.file
    else:
        file = display_path(mapping.source_path) if mapping is not None else "harmonised frame"
    mapping_file = display_path(mapping.path) if mapping is not None else "the mapping"
    ctx = _Context(frame, file, mapping_file, mapping, source)
    if len(frame) == 0:
        return [
            Problem(
                file,
                "(file)",
                "has no data rows",
                "check that this is the right file and that it was exported in full",
            )
        ]
    return (
        _check_required(ctx, codebook)
        + _check_variables(ctx, codebook)
        + _check_design(ctx, codebook)
        + _check_universes(ctx, codebook)
    )


def validate_frame(
    frame: pd.DataFrame,
    mapping: Mapping | None = None,
    source: SourceTable | None = None,
    codebook: Codebook | None = None,
    earlier: Sequence[Problem] = (),
) -> None:
    """Raise DataValidationError with every problem (`earlier` ones first), or return quietly."""
    problems = fold_knock_on(list(earlier) + find_problems(frame, mapping, source, codebook))
    if problems:
        raise DataValidationError(problems)
