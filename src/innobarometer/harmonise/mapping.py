"""Mapping files `<CC>-<YYYY>.yaml`: which national file, which column is which codebook variable,
and how national codes recode to harmonised ones. The schema is documented for researchers in
`data/mappings/README.md`; `check_mapping` finds every problem in one pass.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from innobarometer.codebook import CODED_TYPES, allowed_codes, introduced_items, load_codebook
from innobarometer.harmonise.problems import InputError, Problem, code_key
from innobarometer.paths import MAPPING_NAME, display_path
from innobarometer.wording import did_you_mean

FORMAT_EXTENSIONS = {
    "csv": (".csv", ".txt", ".tsv"),
    "excel": (".xlsx", ".xlsm"),
    "spss": (".sav", ".zsav"),
    "stata": (".dta",),
    "parquet": (".parquet", ".pq"),
    "sas": (".sas7bdat",),
    "xport": (".xpt", ".xport"),
}
TOP_KEYS = (
    "country",
    "edition",
    "synthetic",
    "unit_level",
    "source",
    "missing_values",
    "constants",
    "columns",
    "caveats",
    "unmapped",
    "comparability",
)
REQUIRED_TOP_KEYS = ("country", "edition", "synthetic", "unit_level", "source", "columns")
SOURCE_KEYS = ("file", "format", "sheet", "encoding", "delimiter", "decimal", "catalog")
SINGLE_KEYS = ("column", "recode", "rule", "missing_values")
# Keys every layout of a multiple-response item takes.
MULTIPLE_KEYS = ("blank", "not_offered", "missing_values")
OPTIONS_KEYS = ("options", "selected", "not_selected", *MULTIPLE_KEYS)
DELIMITED_KEYS = ("column", "delimiter", "codes", *MULTIPLE_KEYS)
SLOT_KEYS = ("columns", "codes", *MULTIPLE_KEYS)
# How a blank cell of a multiple-response item reads (`blank:`): the unit ticked nothing, or gave
# no answer. One delimited column or slot columns hold nothing when nothing was chosen, so they
# default to none_ticked; one column per option defaults to no_answer (an all-blank row is a
# skipped question there, as SPSS dichotomy sets and checkbox exports write it).
BLANK_READINGS = ("none_ticked", "no_answer")
# Set at the top of the mapping, never from a column.
SET_BY_MAPPING = ("country", "edition", "unit_level")
# Design columns a mapping must provide (in `columns` or `constants`); `innovative` may be derived.
REQUIRED_DESIGN = ("unit_id", "weight", "stratum", "stratum_population")
# A file with weights only (no strata) leaves out both of these: one stratum, no finite
# population correction (`Mapping.without_strata`).
STRATA_DESIGN = ("stratum", "stratum_population")
ONE_STRATUM = "all"


class MappingError(InputError):
    """A mapping file that cannot be used: every problem in it, each with its key and fix."""


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """YAML 1.2 booleans (only true/false) and no duplicate keys.

    YAML 1.1 reads a bare `NO` (Norway) or `yes` as a boolean; a duplicated key silently wins.
    libyaml's parser when PyYAML has it: `make data`, `check` and the codebook page read every
    mapping, and it is ten times faster than the pure-Python one.
    """


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict:
    """A mapping with its own keys given once; merge keys (`<<: *scale`) fill in the keys it
    does not give itself, as YAML's merge key type says."""
    seen = set()
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, str | int | float) and key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    loader.flatten_mapping(node)  # merged keys first, so the node's own keys win
    return loader.construct_mapping(node, deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass(frozen=True)
class ColumnMap:
    """How one codebook variable comes from the national file.

    kind 'column': one national column, optionally recoded (canonical national code -> harmonised
    code; None = missing). kind 'options': a multiple-response item, one national column per
    option; codes in `selected` mean ticked, codes in `not_selected` not ticked (any other code is
    reported, never guessed). kind 'delimited': a multiple-response item in one
    column of codes separated by `delimiter`, `codes` mapping each national code to an option.
    kind 'slots': a multiple-response item in several columns (`slots`), each holding the code of
    one choice. `blank` is how a unit whose cells are all blank reads (`BLANK_READINGS`);
    `not_offered` the options the national questionnaire did not have.
    """

    variable: str
    key_path: str
    kind: str
    column: str | None = None
    recode: dict[str, object] | None = None
    rule: str | None = None
    missing_values: tuple[str, ...] = ()
    options: dict[str, str] | None = None
    selected: tuple[str, ...] = ("1",)
    not_selected: tuple[str, ...] = ("0",)
    delimiter: str | None = None
    codes: dict[str, str] | None = None
    slots: tuple[str, ...] = ()
    blank: str | None = None
    not_offered: tuple[str, ...] = ()

    @property
    def source_columns(self) -> tuple[str, ...]:
        """The national columns this variable reads."""
        if self.kind == "options":
            return tuple(self.options.values())
        if self.kind == "slots":
            return self.slots
        return (self.column,)

    @property
    def blank_reading(self) -> str:
        """How a unit with every cell of this item blank reads: `blank:` or the layout's default."""
        if self.blank is not None:
            return self.blank
        return "no_answer" if self.kind == "options" else "none_ticked"

    @property
    def mapped_options(self) -> tuple[str, ...]:
        """The options of a multiple-response item this mapping reads from the file."""
        if self.kind == "options":
            return tuple(self.options)
        return tuple(dict.fromkeys(self.codes.values())) if self.codes else ()

    def describe(self) -> str:
        """One line for `check`: where the variable comes from and how it is recoded."""
        if self.kind == "options":
            ticked, unticked = ", ".join(self.selected), ", ".join(self.not_selected) or "none"
            pairs = ", ".join(f"{opt} <- {col}" for opt, col in self.options.items())
            return f"options {pairs} (ticked: {ticked}; not ticked: {unticked})"
        if self.kind in ("delimited", "slots"):
            pairs = ", ".join(f"{code} -> {opt}" for code, opt in self.codes.items())
            if self.kind == "slots":
                return f"slot columns {', '.join(self.slots)} hold codes: {pairs}"
            return f"{self.column} split on {self.delimiter!r}: {pairs}"
        return self.column + self.describe_recode()

    def describe_recode(self) -> str:
        """The recode and rule of a single column, as `check` prints them ('' when none)."""
        text = ""
        if self.recode:
            pairs = ", ".join(
                f"{code} -> {'missing' if new is None else new}"
                for code, new in self.recode.items()
            )
            text += f"  recode {pairs}"
        if self.rule:
            text += f"  (rule: {self.rule})"
        return text


@dataclass(frozen=True)
class Mapping:
    """One national edition's mapping, checked against the schema and the codebook."""

    path: Path
    country: str
    edition: int
    synthetic: bool
    unit_level: str
    source_path: Path
    format: str
    sheet: str | int | None = None
    encoding: str = "utf-8"
    delimiter: str = ","
    decimal: str = "."
    catalog: Path | None = None
    missing_values: tuple[str, ...] = ()
    constants: dict[str, object] = field(default_factory=dict)
    columns: dict[str, ColumnMap] = field(default_factory=dict)
    caveats: tuple[str, ...] = ()
    unmapped: tuple[str, ...] = ()
    # What changed against the country's previous edition: {variable, changed, note} each.
    comparability: tuple[dict, ...] = ()

    @property
    def edition_id(self) -> str:
        """The edition's id, e.g. 'DK-2023'."""
        return f"{self.country}-{self.edition}"

    @property
    def derives_innovative(self) -> bool:
        """True when `innovative` comes from the introduced_* items rather than the file."""
        return "innovative" not in self.columns and "innovative" not in self.constants

    @property
    def without_strata(self) -> bool:
        """True when the file gives weights but no strata: the design has one stratum and no
        finite population correction (with-replacement variance, conservative)."""
        given = set(self.columns) | set(self.constants)
        return not given & set(STRATA_DESIGN)

    def provided(self, codebook) -> dict[str, str]:
        """The codebook variables this mapping provides, and how: 'set by the mapping' (country,
        edition, unit level), 'constant', 'column', or 'derived' (`innovative`, from the
        introduced_* items it maps). Every other variable is missing in the frame: not asked."""
        how = dict.fromkeys(SET_BY_MAPPING, "set by the mapping")
        how |= dict.fromkeys(self.constants, "constant")
        how |= dict.fromkeys(self.columns, "column")
        if self.derives_innovative and any(item in how for item in introduced_items(codebook)):
            how["innovative"] = "derived"
        return how

    def provided_columns(self, codebook) -> frozenset[str]:
        """The frame columns this mapping provides: every column of each variable it provides,
        but of a multiple-response item only the options it lists."""
        columns: set[str] = set()
        for name in self.provided(codebook):
            column_map = self.columns.get(name)
            if column_map is not None and column_map.kind != "column":
                columns.update(f"{name}_{option}" for option in column_map.mapped_options)
            else:
                columns.update(codebook[name].columns if name in codebook else (name,))
        return frozenset(columns)

    def rules(self) -> dict[str, str]:
        """Each variable recoded by a stated rule (a scale conversion), and the rule's text."""
        return {name: m.rule for name, m in self.columns.items() if m.rule}

    def not_produced(self, codebook) -> dict[str, list[int]]:
        """Each recoded item whose recode cannot produce some of its codebook categories (the
        middle of a 5-level scale converted from a scale with no middle): not measured, never
        0%."""
        found = {}
        for name, column_map in self.columns.items():
            variable = codebook.variables.get(name)
            if column_map.recode is None or variable is None or variable.type not in CODED_TYPES:
                continue
            targets = set(column_map.recode.values())
            missing = [c for c in variable.categories if c not in targets]
            if missing:
                found[name] = missing
        return found

    def coarsened(self, codebook) -> dict[str, dict[str, list[str]]]:
        """Each background variable recoded to coarser classes (`coarsenings` in the codebook):
        the coarse classes used and the codebook classes each spans."""
        found = {}
        for name, column_map in self.columns.items():
            spans = codebook[name].coarsenings if name in codebook else {}
            used = [t for t in (column_map.recode or {}).values() if t in spans]
            if used:
                found[name] = {c: list(spans[c]) for c in dict.fromkeys(used)}
        for name, value in self.constants.items():
            spans = codebook[name].coarsenings if name in codebook else {}
            if name not in found and value in spans:
                found[name] = {value: list(spans[value])}
        return found

    def not_offered(self) -> dict[str, list[str]]:
        """Each multiple-response item with options the national questionnaire did not have."""
        return {name: list(m.not_offered) for name, m in self.columns.items() if m.not_offered}


def _kind_of(value: object) -> str:
    """The YAML name of a value's type, for messages."""
    if value is None:
        return "nothing"
    names = {bool: "true/false", int: "a number", float: "a number", str: "text"}
    names.update({list: "a list", dict: "a set of key: value pairs"})
    return names.get(type(value), type(value).__name__)


class _Checker:
    """Collects every problem of one mapping file while building its `Mapping`."""

    def __init__(self, path: Path):
        self.path = path
        self.file = display_path(path)
        self.problems: list[Problem] = []

    def add(self, key_path: str, message: str, fix: str = "", variable: str = "") -> None:
        self.problems.append(Problem(self.file, f"key {key_path}", message, fix, variable=variable))

    def check_keys(self, value: dict, allowed, key_path: str) -> None:
        for key in value:
            if key not in allowed:
                where = f"{key_path}.{key}" if key_path else str(key)
                self.add(
                    where,
                    f"unknown key {key!r}{did_you_mean(key, allowed)}",
                    f"use one of: {', '.join(allowed)}",
                )

    def is_type(self, value: object, types, key_path: str, wanted: str) -> bool:
        types = types if isinstance(types, tuple) else (types,)
        # bool is an int in Python; a mapping never means true by a number.
        if isinstance(value, types) and not (isinstance(value, bool) and bool not in types):
            return True
        self.add(key_path, f"must be {wanted}, not {_kind_of(value)} ({value!r})")
        return False


def _check_target(check: _Checker, codebook, variable, target: object, key_path: str) -> None:
    """A recode target or constant must be a code the codebook defines for the variable."""
    if target is None:
        return
    if variable.type in CODED_TYPES:
        codes = allowed_codes(variable, codebook)
        if isinstance(target, bool) or not isinstance(target, int) or target not in codes:
            listed = ", ".join(f"{c} {label}" for c, label in codes.items())
            check.add(
                key_path,
                f"{target!r} is not a code of {variable.name}",
                f"recode to one of the codebook's codes ({listed}), or to null for no answer",
            )
    elif variable.type == "background" and variable.categories:
        if target not in variable.categories and target not in variable.coarsenings:
            known = [*variable.categories, *variable.coarsenings]
            coarse = ", ".join(f"{c} (= {' + '.join(s)})" for c, s in variable.coarsenings.items())
            check.add(
                key_path,
                f"{target!r} is not a code of {variable.name}" + did_you_mean(target, known),
                f"use one of: {', '.join(map(str, variable.categories))}"
                + (f"; or, for a coarser national class, one of: {coarse}" if coarse else ""),
            )


def _code_dict(check: _Checker, value: object, key_path: str) -> dict[str, object] | None:
    """A {national code: value} table with its keys in canonical form."""
    if not check.is_type(value, dict, key_path, "a set of `national code: value` pairs"):
        return None
    keys = {}
    for code, new in value.items():
        if not check.is_type(code, (int, float, str), f"{key_path}.{code}", "a national code"):
            continue
        key = code_key(code)
        if key in keys:  # 1, '1' and '01' are one national code: the last would silently win
            check.add(
                f"{key_path}.{code}",
                f"{code!r} is the same national code as an earlier key ({key})",
                "keep one of them",
            )
            continue
        keys[key] = new
    return keys


def _code_list(check: _Checker, value: object, key_path: str) -> tuple[str, ...]:
    """A list of national codes in canonical form."""
    if not check.is_type(value, list, key_path, "a list of codes like [-1, 99]"):
        return ()
    codes = []
    for i, code in enumerate(value):
        if not check.is_type(code, (int, float, str), f"{key_path}[{i}]", "a national code"):
            continue
        if code_key(code) is None:
            check.add(
                f"{key_path}[{i}]",
                "a blank code means nothing here: a blank cell is always 'no answer' (and, in "
                "an option column of a row that answers the item, 'not ticked')",
                "remove it",
            )
            continue
        codes.append(code_key(code))
    return tuple(codes)


def _column_name(check: _Checker, value: object, key_path: str) -> str | None:
    """A national column name (numbers are allowed and read as text)."""
    if isinstance(value, int | str) and not isinstance(value, bool):
        return str(value)
    check.add(key_path, f"must be a column name, not {_kind_of(value)} ({value!r})")
    return None


def _parse_column(
    check: _Checker, codebook, variable, spec: object, key_path: str
) -> ColumnMap | None:
    """One `columns` entry, checked against the variable's type in the codebook."""
    name = variable.name
    if variable.type == "multiple":
        if not isinstance(spec, dict) or not ({"options", "codes"} & set(spec)):
            check.add(
                key_path,
                f"{name} is a multiple-response item: it needs one column per option, a "
                "delimited column or slot columns",
                f"write `{name}: {{options: {{<option>: <column>, ...}}}}`, "
                f"`{name}: {{column: <column>, delimiter: ';', codes: {{<code>: <option>}}}}` or "
                f"`{name}: {{columns: [<column>, ...], codes: {{<code>: <option>}}}}`; "
                f"options: {', '.join(variable.options)}",
            )
            return None
        missing = _code_list(check, spec.get("missing_values", []), f"{key_path}.missing_values")
        if "options" in spec:
            check.check_keys(spec, OPTIONS_KEYS, key_path)
            parsed = _parse_options(check, variable, spec, key_path, missing)
        elif "columns" in spec:
            check.check_keys(spec, SLOT_KEYS, key_path)
            parsed = _parse_slots(check, variable, spec, key_path, missing)
        else:
            check.check_keys(spec, DELIMITED_KEYS, key_path)
            parsed = _parse_delimited(check, variable, spec, key_path, missing)
        if parsed is None:
            return None
        blank = spec.get("blank")
        if blank is not None and blank not in BLANK_READINGS:
            check.add(
                f"{key_path}.blank",
                f"{blank!r} is not a reading of a blank cell{did_you_mean(blank, BLANK_READINGS)}",
                "use none_ticked (a blank unit ticked nothing) or no_answer (it did not answer)",
            )
            blank = None
        not_offered = _not_offered(check, variable, spec, key_path, parsed.mapped_options)
        return replace(parsed, blank=blank, not_offered=not_offered)
    if isinstance(spec, int | str) and not isinstance(spec, bool):
        return ColumnMap(name, key_path, "column", column=str(spec))
    if not isinstance(spec, dict):
        check.add(key_path, f"must be a column name or {{column: ..., recode: ...}}, not {spec!r}")
        return None
    check.check_keys(spec, SINGLE_KEYS, key_path)
    if "column" not in spec:
        check.add(key_path, "missing key 'column'", f"add `column: <national column of {name}>`")
        return None
    column = _column_name(check, spec["column"], f"{key_path}.column")
    recode = None
    if "recode" in spec:
        recode = _code_dict(check, spec["recode"], f"{key_path}.recode")
        for code, target in (recode or {}).items():
            _check_target(check, codebook, variable, target, f"{key_path}.recode.{code}")
    rule = spec.get("rule")
    if rule is not None:
        check.is_type(rule, str, f"{key_path}.rule", "text saying how the scale converts")
    missing = _code_list(check, spec.get("missing_values", []), f"{key_path}.missing_values")
    if column is None:
        return None
    return ColumnMap(
        name, key_path, "column", column=column, recode=recode, rule=rule, missing_values=missing
    )


def _parse_options(check, variable, spec, key_path, missing) -> ColumnMap | None:
    options = spec["options"]
    if not check.is_type(options, dict, f"{key_path}.options", "`option: column` pairs"):
        return None
    if not options:
        check.add(
            f"{key_path}.options",
            "is empty: no option of the item comes from the file",
            f"list `<option>: <column>` pairs (options: {', '.join(variable.options)}), or "
            f"leave {variable.name} out if the edition did not ask it",
        )
    parsed = {}
    for option, column in options.items():
        if option not in variable.options:
            check.add(
                f"{key_path}.options.{option}",
                f"{option!r} is not an option of {variable.name}"
                + did_you_mean(option, variable.options),
                f"use the codebook's options: {', '.join(variable.options)}",
            )
            continue
        name = _column_name(check, column, f"{key_path}.options.{option}")
        if name is not None:
            parsed[option] = name
    selected = _code_list(check, spec.get("selected", [1]), f"{key_path}.selected")
    if "selected" in spec and isinstance(spec["selected"], list) and not spec["selected"]:
        check.add(
            f"{key_path}.selected",
            "is empty: no code would mean ticked",
            "list the national codes meaning ticked, e.g. `selected: [1]`",
        )
    not_selected = _code_list(check, spec.get("not_selected", [0]), f"{key_path}.not_selected")
    default = "" if "not_selected" in spec else " (not_selected defaults to [0])"
    for code in sorted(set(selected) & set(not_selected)):
        check.add(
            f"{key_path}.not_selected",
            f"{code} is listed under both selected and not_selected{default}",
            "keep it under the one that says what the code means"
            + (", e.g. `not_selected: [1]` for a file coding 0 as ticked" if default else ""),
        )

    return ColumnMap(
        variable.name,
        key_path,
        "options",
        options=parsed,
        selected=selected,
        not_selected=not_selected,
        missing_values=missing,
    )


def _not_offered(check, variable, spec, key_path, mapped) -> tuple[str, ...]:
    """`not_offered:`, the options the national questionnaire did not have: codebook options that
    the mapping does not also read from a column."""
    value = spec.get("not_offered", [])
    if not check.is_type(value, list, f"{key_path}.not_offered", "a list of options"):
        return ()
    offered = []
    for option in value:
        where = f"{key_path}.not_offered"
        if option not in variable.options:
            check.add(
                where,
                f"{option!r} is not an option of {variable.name}"
                + did_you_mean(str(option), variable.options),
                f"use the codebook's options: {', '.join(variable.options)}",
            )
        elif option in mapped:
            check.add(
                where,
                f"{option} is listed as not offered but is also mapped to a column",
                "keep one: map it if the questionnaire offered it, else list it under not_offered",
            )
        else:
            offered.append(option)
    return tuple(offered)


def _parse_codes(check, variable, spec, key_path) -> dict[str, str]:
    """`codes:` of a delimited or slot layout: national code -> codebook option."""
    codes = _code_dict(check, spec["codes"], f"{key_path}.codes") or {}
    for code, option in codes.items():
        if option not in variable.options:
            check.add(
                f"{key_path}.codes.{code}",
                f"{option!r} is not an option of {variable.name}"
                + did_you_mean(str(option), variable.options),
                f"use the codebook's options: {', '.join(variable.options)}",
            )
    return {c: o for c, o in codes.items() if o in variable.options}


def _parse_slots(check, variable, spec, key_path, missing) -> ColumnMap | None:
    """Slot columns: `columns: [q7_1, q7_2, q7_3]`, each holding the code of one choice."""
    example = "e.g. `{columns: [q7_1, q7_2, q7_3], codes: {1: employees, 2: own_manager}}`"
    if "codes" not in spec:
        check.add(key_path, "missing key 'codes' (slot columns need columns and codes)", example)
        return None
    slots = spec["columns"]
    if not check.is_type(slots, list, f"{key_path}.columns", "a list of column names") or not slots:
        if slots == []:
            check.add(f"{key_path}.columns", "is empty", example)
        return None
    names = [_column_name(check, c, f"{key_path}.columns[{i}]") for i, c in enumerate(slots)]
    for name in sorted({n for n in names if n is not None and names.count(n) > 1}):
        check.add(f"{key_path}.columns", f"{name} is listed twice", "list each column once")
    codes = _parse_codes(check, variable, spec, key_path)
    if None in names:
        return None
    return ColumnMap(
        variable.name,
        key_path,
        "slots",
        slots=tuple(dict.fromkeys(names)),
        codes=codes,
        missing_values=missing,
    )


def _parse_delimited(check, variable, spec, key_path, missing) -> ColumnMap | None:
    for required in ("column", "delimiter", "codes"):
        if required not in spec:
            check.add(
                key_path,
                f"missing key {required!r} (a delimited multiple-response column needs "
                "column, delimiter and codes)",
                "e.g. `{column: q7, delimiter: ';', codes: {1: employees, 2: own_manager}}`",
            )
            return None
    column = _column_name(check, spec["column"], f"{key_path}.column")
    delimiter = spec["delimiter"]
    if check.is_type(delimiter, str, f"{key_path}.delimiter", "the separating character"):
        if not delimiter:
            check.add(f"{key_path}.delimiter", "is empty", "give the character between codes")
    codes = _parse_codes(check, variable, spec, key_path)
    if column is None or not isinstance(delimiter, str) or not delimiter:
        return None
    return ColumnMap(
        variable.name,
        key_path,
        "delimited",
        column=column,
        delimiter=delimiter,
        codes=codes,
        missing_values=missing,
    )


def _parse_source(check: _Checker, source: object) -> dict | None:
    """The `source` block: file (relative to the mapping), format and reader options."""
    if not check.is_type(source, dict, "source", "a block with at least `file:`"):
        return None
    check.check_keys(source, SOURCE_KEYS, "source")
    if "file" not in source:
        check.add("source", "missing key 'file'", "add `file: ../raw/<CC>-<YYYY>.<ext>`")
        return None
    if not check.is_type(source["file"], str, "source.file", "a path"):
        return None
    path = (check.path.parent / source["file"]).resolve()
    extension_format = next(
        (fmt for fmt, exts in FORMAT_EXTENSIONS.items() if path.suffix.lower() in exts), None
    )
    fmt = source.get("format", extension_format)
    if fmt is None:
        check.add(
            "source.file",
            f"cannot tell the format of {path.name} from its extension",
            f"add `format:` ({', '.join(FORMAT_EXTENSIONS)})",
        )
        return None
    if fmt not in FORMAT_EXTENSIONS:
        check.add(
            "source.format",
            f"unknown format {fmt!r}{did_you_mean(fmt, FORMAT_EXTENSIONS)}",
            f"use one of: {', '.join(FORMAT_EXTENSIONS)}",
        )
        return None
    if not path.is_file():
        check.add(
            "source.file",
            f"{source['file']} does not exist (looked for {path})",
            "paths are relative to the mapping file; put the national file there or fix the path",
        )
    encoding = source.get("encoding", "utf-8")
    if check.is_type(encoding, str, "source.encoding", "an encoding name like utf-8"):
        try:
            codecs.lookup(encoding)
        except LookupError:
            check.add(
                "source.encoding",
                f"unknown encoding {encoding!r}",
                "use e.g. utf-8, utf-8-sig, cp1252 or latin-1",
            )
    delimiter = source.get("delimiter", "\t" if path.suffix.lower() == ".tsv" else ",")
    if check.is_type(delimiter, str, "source.delimiter", "one character such as ';'"):
        if len(delimiter) != 1:
            check.add("source.delimiter", f"{delimiter!r} is not one character", "e.g. ';'")
    decimal = source.get("decimal", ".")
    if check.is_type(decimal, str, "source.decimal", "the decimal mark, '.' or ','"):
        if decimal not in (".", ","):
            check.add("source.decimal", f"{decimal!r} is not a decimal mark", "use '.' or ','")
        elif decimal == delimiter:
            check.add(
                "source.decimal",
                f"{decimal!r} is also the delimiter",
                "a file with decimal commas separates its fields by ';' (set `delimiter: ';'`)",
            )
    for key in ("encoding", "delimiter", "decimal"):
        if key in source and fmt != "csv":
            check.add(f"source.{key}", f"applies to CSV files only, not {fmt}", "remove it")
    catalog = None
    if "catalog" in source:
        if fmt != "sas":
            check.add(
                "source.catalog",
                f"applies to SAS files (format: sas) only, not {fmt}",
                "remove it"
                + (" (an XPORT file carries no value labels)" if fmt == "xport" else ""),
            )
        elif check.is_type(source["catalog"], str, "source.catalog", "a path"):
            catalog = (check.path.parent / source["catalog"]).resolve()
            if not catalog.is_file():
                check.add(
                    "source.catalog",
                    f"{source['catalog']} does not exist (looked for {catalog})",
                    "paths are relative to the mapping file; name the .sas7bcat format catalog",
                )
    sheet = source.get("sheet")
    if sheet is not None:
        check.is_type(sheet, (str, int), "source.sheet", "a sheet name or number")
        if fmt != "excel":
            check.add("source.sheet", f"applies to Excel files only, not {fmt}", "remove it")
    return {
        "path": path,
        "format": fmt,
        "sheet": sheet,
        "encoding": encoding,
        "delimiter": delimiter,
        "decimal": decimal if decimal in (".", ",") else ".",
        "catalog": catalog,
    }


def check_mapping(path: str | Path, codebook=None) -> tuple[Mapping | None, list[Problem]]:
    """Read a mapping and every problem in it; the Mapping is None when it cannot be used at all.

    Bad `columns` entries are left out of the returned Mapping so that `check` can still report
    what the rest maps.
    """
    codebook = codebook or load_codebook()
    countries = tuple(codebook["country"].categories)
    unit_levels = tuple(codebook["unit_level"].categories)
    path = Path(path).resolve()
    check = _Checker(path)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except OSError as error:
        check.add("(file)", f"cannot read the mapping: {error.strerror}", "check the path")
        return None, check.problems
    except UnicodeDecodeError as error:
        check.problems.append(not_utf8_problem(path, error))
        return None, check.problems
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(file)"
        reason = getattr(error, "problem", None) or str(error)
        check.problems.append(
            Problem(
                check.file,
                where,
                f"not valid YAML: {reason}",
                "keep one of the two" if "duplicate" in reason else "fix the YAML syntax there",
            )
        )
        return None, check.problems
    if not isinstance(raw, dict):
        check.add("(file)", "must be a set of `key: value` lines", "see data/mappings/README.md")
        return None, check.problems

    check.check_keys(raw, TOP_KEYS, "")
    for key in REQUIRED_TOP_KEYS:
        if key not in raw:
            check.add(key, "missing required key", "see data/mappings/README.md for the schema")

    name_match = MAPPING_NAME.match(path.name)
    if not name_match:
        check.add(
            "(file name)",
            f"{path.name!r} is not named <CC>-<YYYY>.yaml",
            "rename it after its country and edition, e.g. DK-2023.yaml",
        )
    country = raw.get("country")
    if country is not None and check.is_type(country, str, "country", "a country code"):
        if country not in countries:
            check.add(
                "country",
                f"unknown country {country!r}{did_you_mean(country, countries)}",
                f"use one of: {', '.join(countries)}",
            )
        elif name_match and name_match.group(1) != country:
            check.add(
                "country",
                f"{country} does not agree with the file name {path.name}",
                "make the file name and `country:` agree",
            )
    edition = raw.get("edition")
    if edition is not None and check.is_type(
        edition, int, "edition", "the survey year as a number"
    ):
        if name_match and int(name_match.group(2)) != edition:
            check.add(
                "edition",
                f"{edition} does not agree with the file name {path.name}",
                "make the file name and `edition:` agree",
            )
    synthetic = raw.get("synthetic")
    if synthetic is not None:
        check.is_type(synthetic, bool, "synthetic", "true or false")
    unit_level = raw.get("unit_level")
    if unit_level is not None and unit_level not in unit_levels:
        check.add(
            "unit_level",
            f"unknown unit level {unit_level!r}{did_you_mean(unit_level, unit_levels)}",
            f"use one of: {', '.join(unit_levels)}",
        )
    source = _parse_source(check, raw["source"]) if "source" in raw else None
    missing_values = _code_list(check, raw.get("missing_values", []), "missing_values")
    caveats = raw.get("caveats", [])
    if check.is_type(caveats, list, "caveats", "a list of sentences"):
        for i, caveat in enumerate(caveats):
            check.is_type(caveat, str, f"caveats[{i}]", "a sentence")

    unmapped = ()
    if check.is_type(raw.get("unmapped", []), list, "unmapped", "a list of national columns"):
        unmapped = tuple(
            name
            for i, value in enumerate(raw.get("unmapped", []))
            if (name := _column_name(check, value, f"unmapped[{i}]")) is not None
        )

    variables = codebook.variables
    constants = raw.get("constants", {})
    if not check.is_type(constants, dict, "constants", "`variable: value` pairs"):
        constants = {}
    for name, value in constants.items():
        if name not in variables or name in SET_BY_MAPPING:
            _unknown_variable(check, f"constants.{name}", name, variables)
            continue
        if variables[name].type == "multiple":
            check.add(f"constants.{name}", "a multiple-response item cannot be a constant")
            continue
        if check.is_type(value, (int, float, str), f"constants.{name}", "one value"):
            _check_target(check, codebook, variables[name], value, f"constants.{name}")

    columns = raw.get("columns", {})
    if not check.is_type(columns, dict, "columns", "`variable: column` pairs"):
        columns = {}
    parsed = {}
    for name, spec in columns.items():
        key_path = f"columns.{name}"
        if name not in variables or name in SET_BY_MAPPING:
            _unknown_variable(check, key_path, name, variables)
            continue
        if name in constants:
            check.add(key_path, f"{name} is both a column and a constant", "keep one of the two")
        column_map = _parse_column(check, codebook, variables[name], spec, key_path)
        if column_map is not None:
            parsed[name] = column_map

    for column_map in parsed.values():
        # Missing codes win over answers when the file is read: a code in both would be lost.
        answers = set(column_map.selected) | set(column_map.not_selected)
        both = answers & (set(missing_values) | set(column_map.missing_values))
        for code in sorted(both) if column_map.kind == "options" else ():
            check.add(
                column_map.key_path,
                f"{code} is a missing code (missing_values) and listed under selected or "
                "not_selected",
                "keep it in one place: missing_values for 'no answer', selected or "
                "not_selected for an answer",
            )

    if "columns" in raw:
        provided = set(columns) | set(constants)
        weights_only = not provided & set(STRATA_DESIGN)
        for name in REQUIRED_DESIGN:
            if name not in provided and not (weights_only and name in STRATA_DESIGN):
                pair = [n for n in STRATA_DESIGN if n != name] if name in STRATA_DESIGN else []
                if pair:
                    other = pair[0]
                    check.add(
                        f"columns.{name}",
                        f"missing: {other} is mapped but {name} is not",
                        "map both (a stratified design), or leave both out for a file with "
                        "weights only (one stratum, no finite population correction)",
                        variable=name,
                    )
                    continue
                check.add(
                    f"columns.{name}",
                    f"missing: {name} is a required design column",
                    f"add `{name}: <national column>` under columns (or a constant)",
                )
        if "innovative" not in provided and not provided & set(introduced_items(codebook)):
            check.add(
                "columns.innovative",
                "missing: innovative is required and cannot be derived (no introduced_* mapped)",
                "map the four introduced_* items, or map `innovative:` to a 1/0 column",
            )

    essentials = (country in countries, isinstance(edition, int), source is not None)
    if not all(essentials) or unit_level not in unit_levels or not isinstance(synthetic, bool):
        return None, check.problems
    mapping = Mapping(
        path=path,
        country=country,
        edition=edition,
        synthetic=synthetic,
        unit_level=unit_level,
        source_path=source["path"],
        format=source["format"],
        sheet=source["sheet"],
        encoding=source["encoding"] if isinstance(source["encoding"], str) else "utf-8",
        delimiter=source["delimiter"] if isinstance(source["delimiter"], str) else ",",
        decimal=source["decimal"],
        catalog=source["catalog"],
        missing_values=missing_values,
        constants={k: v for k, v in constants.items() if k in variables},
        columns=parsed,
        unmapped=unmapped,
        caveats=tuple(c for c in caveats if isinstance(c, str))
        if isinstance(caveats, list)
        else (),
        comparability=_comparability(check, raw.get("comparability", []), codebook),
    )
    return mapping, check.problems


def not_utf8_problem(path: Path, error: UnicodeDecodeError) -> Problem:
    """A mapping that is not UTF-8: where, which encoding it looks like, and how to fix it."""
    data = path.read_bytes()
    line = data[: error.start].count(b"\n") + 1
    encoding = "cp1252 (Windows)"
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        encoding = "latin-1 or another 8-bit encoding"
    return Problem(
        display_path(path),
        f"line {line}",
        f"the mapping is not UTF-8 text (byte {data[error.start]:#x}); it looks like {encoding}",
        "save it as UTF-8 (in Notepad: Save as, Encoding UTF-8; or run "
        f"`iconv -f cp1252 -t utf-8 {path.name} > fixed.yaml` and replace it)",
    )


# What a comparability break may be (`comparability:` in a mapping).
COMPARABILITY_CHANGES = ("wording", "scale", "coverage")


def _comparability(check: _Checker, raw: object, codebook) -> tuple[dict, ...]:
    """`comparability:` entries, each a variable (a codebook variable, a battery, or `all`),
    what changed against the country's previous edition, and a note."""
    if not check.is_type(raw, list, "comparability", "a list of {variable, changed, note}"):
        return ()
    known = ["all", *codebook.batteries, *codebook.variables]
    entries = []
    for i, entry in enumerate(raw):
        where = f"comparability[{i}]"
        if not check.is_type(entry, dict, where, "`variable:`, `changed:` and `note:`"):
            continue
        check.check_keys(entry, ("variable", "changed", "note"), where)
        variable, changed, note = entry.get("variable"), entry.get("changed"), entry.get("note", "")
        if variable not in known:
            check.add(
                f"{where}.variable",
                f"{variable!r} is not a variable, battery or `all`"
                f"{did_you_mean(str(variable), known)}",
                "name a codebook variable, a battery (e.g. factors) or `all` (the whole survey)",
            )
        elif changed not in COMPARABILITY_CHANGES:
            check.add(
                f"{where}.changed",
                f"unknown change {changed!r}{did_you_mean(str(changed), COMPARABILITY_CHANGES)}",
                f"use one of: {', '.join(COMPARABILITY_CHANGES)}",
            )
        elif check.is_type(note, str, f"{where}.note", "a sentence"):
            entries.append({"variable": variable, "changed": changed, "note": note})
    return tuple(entries)


def _unknown_variable(check: _Checker, key_path: str, name: object, variables) -> None:
    if name in SET_BY_MAPPING:
        check.add(key_path, f"{name} is set at the top of the mapping", f"use `{name}:` there")
        return
    frame_columns = {c: v.name for v in variables.values() for c in v.columns if c != v.name}
    if name in frame_columns:
        item = frame_columns[name]
        check.add(
            key_path,
            f"{name} is one option of the multiple-response item {item}",
            f"map it under `{item}: {{options: {{...}}}}`",
        )
        return
    check.add(
        key_path,
        f"unknown codebook variable {name!r}{did_you_mean(name, variables)}",
        "use a variable name from the codebook (python -m innobarometer codebook)",
    )


def read_mapping(path: str | Path, codebook=None) -> Mapping:
    """A usable mapping, or MappingError listing every problem in the file."""
    mapping, problems = check_mapping(path, codebook)
    if problems or mapping is None:
        raise MappingError(problems)
    return mapping
