"""The harmonised codebook (`codebook.yaml`): every variable defined once, checked on load.

Labels, validation, plot axes, table headers and the codebook page all read it from here.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from innobarometer import language

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

CODEBOOK_PATH = Path(__file__).resolve().parent / "codebook.yaml"

ITEM_TYPES = ("binary", "single", "ordinal", "multiple")
CODED_TYPES = ("binary", "single", "ordinal")
TYPES = (*ITEM_TYPES, "numeric", "background", "design")
DTYPES = ("string", "integer", "float")
UNIVERSES = ("all", "innovators", "non_innovators", "adapters_and_copiers", "collaborators")
THEMES = ("overview", "collaboration", "diffusion", "drivers", "barriers", "background", "design")
REQUIRED_KEYS = ("name", "label", "question", "type", "universe", "theme")
OPTIONAL_KEYS = (
    "categories",
    "options",
    "non_substantive",
    "battery",
    "required",
    "dtype",
    "max_choices",
    "assumption",
    "note",
    "coarsenings",
)
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
_NAME_LINE = re.compile(r"^\s*-?\s*name:\s*['\"]?([^'\"\s#]+)")


class CodebookError(ValueError):
    """The codebook file breaks its schema; the message names the file, the variable and the fix."""


@dataclass(frozen=True)
class Variable:
    """One harmonised variable: what it asks, how it is coded, who is asked."""

    name: str
    label: str
    question: str
    type: str
    universe: str
    theme: str
    categories: dict[int | str, str] = field(default_factory=dict, hash=False)
    options: dict[str, str] = field(default_factory=dict, hash=False)
    non_substantive: tuple[int, ...] = ()
    battery: str | None = None
    required: bool = False
    dtype: str | None = None
    max_choices: int | None = None
    assumption: str = ""
    note: str = ""
    # A coarser national class a mapping may recode to -> the codebook classes it spans.
    coarsenings: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    # In a language's codebook: the source key of the national questionnaire whose own words the
    # label and question are ("" for a translation, and in English).
    wording_source: str = ""

    @property
    def class_labels(self) -> dict[str, str]:
        """Every class a frame may hold, as text: the categories, then the coarsenings, each
        labelled by the classes it spans ('50+' -> '50-99 employees or 100 or more
        employees')."""
        labels = {str(code): text for code, text in self.categories.items()}
        for coarse, spans in self.coarsenings.items():
            labels[coarse] = " or ".join(self.categories[c] for c in spans)
        return labels

    @property
    def columns(self) -> list[str]:
        """The frame columns the variable occupies: one per option for multiple response."""
        if self.type == "multiple":
            return [f"{self.name}_{option}" for option in self.options]
        return [self.name]

    @property
    def is_item(self) -> bool:
        """A survey question (coded answers), as opposed to a design or background column."""
        return self.type in ITEM_TYPES

    @property
    def codes(self) -> tuple[int | str, ...]:
        """Every code a value may take: the substantive categories, then the non-substantive."""
        if self.type == "multiple":
            return (1, 0)
        return (*self.categories, *self.non_substantive)


@dataclass(frozen=True)
class Balance:
    """Which codes of a promote/hinder battery count as promoted and as hindered (the net balance
    is the share promoted minus the share hindered)."""

    battery: str
    promoted: tuple[int, ...]
    hindered: tuple[int, ...]


@dataclass(frozen=True)
class Codebook:
    """Every harmonised variable in codebook order, with the shared code labels and batteries."""

    variables: dict[str, Variable] = field(hash=False)
    non_substantive_labels: dict[int, str] = field(hash=False)
    batteries: dict[str, str] = field(hash=False)
    balance: Balance | None = None
    path: str = ""

    def __post_init__(self) -> None:
        # The column -> variable lookup, built once; frozen, so set through object.__setattr__.
        owners = {c: v for v in self.variables.values() for c in v.columns}
        object.__setattr__(self, "_owners", owners)

    def __getitem__(self, name: str) -> Variable:
        try:
            return self.variables[name]
        except KeyError:
            raise KeyError(
                f"{name!r} is not a codebook variable ({self.path}); see "
                "`python -m innobarometer codebook` for the names"
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self.variables

    def columns(self) -> list[str]:
        """Every frame column of the codebook, in codebook order."""
        return list(self._owners)

    def variable_of(self, column: str) -> Variable:
        """The variable a frame column belongs to (`partner_citizens` -> `partner`)."""
        try:
            return self._owners[column]
        except KeyError:
            raise KeyError(
                f"column {column!r} belongs to no codebook variable ({self.path}); a multiple "
                "response column is <variable>_<option>"
            ) from None

    def label(self, variable: str | Variable, code: int | str | None = None) -> str:
        """The label of a variable, or of one of its codes (an option for multiple response)."""
        var = variable if isinstance(variable, Variable) else self[variable]
        if code is None:
            return var.label
        if var.type == "multiple":
            if code in var.options:
                return var.options[code]
        else:
            if code in var.categories:
                return var.categories[code]
            if code in var.non_substantive:
                return self.non_substantive_labels[code]
        known = ", ".join(str(c) for c in (var.options if var.type == "multiple" else var.codes))
        raise KeyError(f"{var.name}: code {code!r} is not in the codebook (known: {known})")

    def battery(self, name: str) -> list[Variable]:
        """The items of one battery (e.g. `factors`), in codebook order."""
        if name not in self.batteries:
            known = ", ".join(self.batteries)
            raise KeyError(f"{name!r} is not a codebook battery (known: {known})")
        return [v for v in self.variables.values() if v.battery == name]


def _reject_duplicate_keys(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False):
    """Build a mapping, refusing a key given twice (PyYAML would silently keep the last)."""
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise DuplicateKeyError(key, key_node.start_mark.line + 1)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


class DuplicateKeyError(CodebookError):
    """A YAML mapping gives one key twice; carries the key and its 1-based line."""

    def __init__(self, key: object, line: int):
        self.key, self.line = key, line
        super().__init__(f"line {line}: key {key!r} is given twice; remove or renumber one")


class _StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when present
    """YAML's safe loader with duplicate keys rejected."""


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _reject_duplicate_keys
)


def read_yaml(path: str | os.PathLike) -> object:
    """A YAML file parsed strictly (duplicate keys are an error that names the file and line)."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_StrictLoader)
    except DuplicateKeyError as error:
        # Name the variable the duplicate sits in: the nearest `name:` above it.
        above = path.read_text(encoding="utf-8").splitlines()[: error.line]
        names = [m.group(1) for m in map(_NAME_LINE.match, above) if m]
        inside = f"variable {names[-1]!r}: " if names else ""
        raise CodebookError(f"{path}: {inside}{error}") from None
    except yaml.YAMLError as error:
        raise CodebookError(f"{path}: not valid YAML: {error}") from None


def _check_labels(where: str, mapping: object, what: str, key_type: type) -> dict:
    """A code -> label mapping: keys of the right type, each with a non-empty text label."""
    if not isinstance(mapping, dict) or not mapping:
        raise CodebookError(f"{where}: `{what}` must be a non-empty mapping of code: label")
    for key, label in mapping.items():
        # bool is an int subclass; YAML reads unquoted NO/yes as booleans.
        if not isinstance(key, key_type) or isinstance(key, bool):
            raise CodebookError(
                f"{where}: `{what}` key {key!r} must be {key_type.__name__}"
                + (" (quote it: YAML reads NO, yes, on as booleans)" if key_type is str else "")
            )
        if not isinstance(label, str) or not label.strip():
            raise CodebookError(
                f"{where}: `{what}` entry {key!r} needs a text label "
                "(quote Yes, No, On: YAML reads them as booleans)"
            )
    return dict(mapping)


def _parse_variable(raw: object, index: int, path: str, non_substantive: dict, batteries: dict):
    """One YAML entry -> Variable, or a CodebookError naming what to fix."""
    where = f"{path}: variables[{index}]"
    if not isinstance(raw, dict):
        raise CodebookError(f"{where}: each variable must be a mapping with keys {REQUIRED_KEYS}")
    name = raw.get("name")
    if isinstance(name, str):
        where = f"{path}: variable {name!r}"
    missing = [k for k in REQUIRED_KEYS if k not in raw]
    if missing:
        raise CodebookError(f"{where}: missing key(s) {', '.join(missing)}")
    unknown = sorted(set(raw) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS))
    if unknown:
        raise CodebookError(
            f"{where}: unknown key(s) {', '.join(unknown)}; allowed: "
            f"{', '.join(REQUIRED_KEYS + OPTIONAL_KEYS)}"
        )
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise CodebookError(f"{where}: name {name!r} must be lower case letters, digits and _")
    for key in ("label", "question"):
        if not isinstance(raw[key], str) or not raw[key].strip():
            raise CodebookError(f"{where}: `{key}` must be a non-empty text")
    for key, allowed in (("type", TYPES), ("universe", UNIVERSES), ("theme", THEMES)):
        if raw[key] not in allowed:
            raise CodebookError(
                f"{where}: unknown {key} {raw[key]!r}; use one of {', '.join(allowed)}"
            )
    kind = raw["type"]

    categories: dict = {}
    options: dict = {}
    if kind in CODED_TYPES:
        if "categories" not in raw:
            raise CodebookError(f"{where}: a {kind} item needs `categories` (code: label)")
        categories = _check_labels(where, raw["categories"], "categories", int)
    elif "categories" in raw:
        if kind not in ("background", "design"):
            raise CodebookError(f"{where}: a {kind} variable takes no `categories`")
        categories = _check_labels(where, raw["categories"], "categories", str)
    if kind == "multiple":
        if "options" not in raw:
            raise CodebookError(f"{where}: a multiple response item needs `options` (name: label)")
        options = _check_labels(where, raw["options"], "options", str)
        bad = [o for o in options if not NAME_PATTERN.match(o)]
        if bad:
            raise CodebookError(f"{where}: option name(s) {bad} must be lower case letters, _")
    elif "options" in raw:
        raise CodebookError(f"{where}: only a multiple response item takes `options`")

    codes = raw.get("non_substantive", [])
    if codes and kind not in CODED_TYPES:
        raise CodebookError(f"{where}: only binary, single and ordinal items allow non_substantive")
    if not isinstance(codes, list) or any(c not in non_substantive for c in codes):
        raise CodebookError(
            f"{where}: non_substantive must be a list drawn from {list(non_substantive)}"
        )
    clash = sorted(set(codes) & set(categories))
    if clash or len(set(codes)) != len(codes):
        raise CodebookError(f"{where}: code(s) {clash or codes} given twice; each code once")

    battery = raw.get("battery")
    if battery is not None and battery not in batteries:
        raise CodebookError(
            f"{where}: battery {battery!r} is not under `batteries` ({', '.join(batteries)})"
        )
    dtype = raw.get("dtype")
    if kind in ("background", "design", "numeric"):
        if dtype not in DTYPES:
            raise CodebookError(f"{where}: `dtype` must be one of {', '.join(DTYPES)}")
    elif dtype is not None:
        raise CodebookError(f"{where}: items are coded Int8; drop `dtype`")
    max_choices = raw.get("max_choices")
    if max_choices is not None and (
        kind != "multiple" or not isinstance(max_choices, int) or max_choices < 1
    ):
        raise CodebookError(f"{where}: max_choices is a positive integer for multiple response")
    for key in ("assumption", "note"):
        if key in raw and not isinstance(raw[key], str):
            raise CodebookError(f"{where}: `{key}` must be text")
    if not isinstance(raw.get("required", False), bool):
        raise CodebookError(f"{where}: `required` must be true or false")
    coarsenings = _parse_coarsenings(where, raw.get("coarsenings", {}), kind, categories)

    return Variable(
        name=name,
        label=raw["label"].strip(),
        question=" ".join(raw["question"].split()),
        type=kind,
        universe=raw["universe"],
        theme=raw["theme"],
        categories=categories,
        options=options,
        non_substantive=tuple(codes),
        battery=battery,
        required=raw.get("required", False),
        dtype=dtype,
        max_choices=max_choices,
        assumption=" ".join(raw.get("assumption", "").split()),
        note=" ".join(raw.get("note", "").split()),
        coarsenings=coarsenings,
    )


def _parse_coarsenings(where: str, raw: object, kind: str, categories: dict) -> dict:
    """`coarsenings: {"50+": ["50-99", "100+"]}`: national classes spanning several codebook
    classes, which a mapping may recode to (background classes only)."""
    if not raw:
        return {}
    if kind != "background" or not categories:
        raise CodebookError(f"{where}: only a background variable with categories has coarsenings")
    if not isinstance(raw, dict):
        raise CodebookError(f"{where}: `coarsenings` maps a class to the categories it spans")
    parsed = {}
    for coarse, spans in raw.items():
        if not isinstance(coarse, str) or coarse in categories:
            raise CodebookError(
                f"{where}: coarsening {coarse!r} must be a new class (text), not a category"
            )
        if (
            not isinstance(spans, list)
            or len(spans) < 2
            or any(s not in categories for s in spans)
            or len(set(spans)) != len(spans)
        ):
            raise CodebookError(
                f"{where}: coarsening {coarse!r} must list two or more of the categories "
                f"({', '.join(map(str, categories))})"
            )
        parsed[coarse] = tuple(spans)
    return parsed


def finest_common_classes(variable: Variable, classes_by_edition: list[set[str]]) -> dict:
    """The finest classes every edition can be compared in: each class any edition holds ->
    the class it is compared as. A fine class is merged into every coarsening some edition uses
    that spans it (overlapping coarsenings merge into one), so '50-99' and '100+' of one
    edition are compared with '50+' of another."""
    used = {c for classes in classes_by_edition for c in classes if c in variable.coarsenings}
    groups: list[set[str]] = []
    for coarse in sorted(used):
        group = set(variable.coarsenings[coarse]) | {coarse}
        for other in [g for g in groups if g & group]:
            group |= other
            groups.remove(other)
        groups.append(group)
    merged = {}
    for group in groups:
        spans = [str(c) for c in variable.categories if str(c) in group]
        # The coarsening that spans the merged group exactly names it, else its classes joined.
        name = next(
            (c for c, s in variable.coarsenings.items() if list(s) == spans), "/".join(spans)
        )
        merged |= dict.fromkeys(group, name)
    every = {c for classes in classes_by_edition for c in classes}
    return {c: merged.get(c, c) for c in sorted(every)}


def _parse_balance(raw: object, path: str, batteries: dict, variables: dict) -> Balance:
    """The `balance` block -> Balance, or a CodebookError naming what to fix."""
    where = f"{path}: balance"
    keys = ("battery", "promoted", "hindered")
    if not isinstance(raw, dict) or sorted(raw) != sorted(keys):
        raise CodebookError(f"{where}: must be a mapping with exactly the keys {', '.join(keys)}")
    battery = raw["battery"]
    if battery not in batteries:
        raise CodebookError(
            f"{where}: battery {battery!r} is not under `batteries` ({', '.join(batteries)})"
        )
    codes = {}
    for key in keys[1:]:
        listed = raw[key]
        if (
            not isinstance(listed, list)
            or not listed
            or any(not isinstance(c, int) or isinstance(c, bool) for c in listed)
            or len(set(listed)) != len(listed)
        ):
            raise CodebookError(f"{where}: `{key}` must be a non-empty list of distinct codes")
        codes[key] = tuple(listed)
    both = sorted(set(codes["promoted"]) & set(codes["hindered"]))
    if both:
        raise CodebookError(f"{where}: code(s) {both} are both promoted and hindered; keep one")
    for var in (v for v in variables.values() if v.battery == battery):
        for key, listed in codes.items():
            outside = [c for c in listed if c not in var.categories]
            if outside:
                raise CodebookError(
                    f"{where}: {key} code(s) {outside} are not categories of {var.name!r} "
                    f"({', '.join(map(str, var.categories))}); use codes of its scale"
                )
    return Balance(battery=battery, **codes)


def parse_codebook(path: str | os.PathLike) -> Codebook:
    """Read and check a codebook file; every error names the file, the variable and the fix."""
    path = Path(path)
    raw = read_yaml(path)
    if not isinstance(raw, dict) or not isinstance(raw.get("variables"), list):
        raise CodebookError(f"{path}: expected a mapping with a `variables` list")
    unknown = sorted(set(raw) - {"variables", "non_substantive_codes", "batteries", "balance"})
    if unknown:
        raise CodebookError(f"{path}: unknown top-level key(s) {', '.join(unknown)}")
    non_substantive = _check_labels(
        f"{path}", raw.get("non_substantive_codes", {8: "don't know"}), "non_substantive_codes", int
    )
    batteries = raw.get("batteries") or {}
    if batteries:
        batteries = _check_labels(f"{path}", batteries, "batteries", str)

    variables: dict[str, Variable] = {}
    owners: dict[str, str] = {}
    for index, entry in enumerate(raw["variables"]):
        var = _parse_variable(entry, index, str(path), non_substantive, batteries)
        if var.name in variables:
            raise CodebookError(f"{path}: variable {var.name!r} is defined twice; keep one")
        for column in var.columns:
            if column in owners:
                raise CodebookError(
                    f"{path}: variable {var.name!r}: frame column {column!r} is also a column of "
                    f"{owners[column]!r}; rename the variable or the option"
                )
            owners[column] = var.name
        variables[var.name] = var
    empty = [b for b in batteries if not any(v.battery == b for v in variables.values())]
    if empty:
        raise CodebookError(f"{path}: battery {empty} has no items; remove it or assign items")
    balance = raw.get("balance")
    return Codebook(
        variables=variables,
        non_substantive_labels=non_substantive,
        batteries=dict(batteries),
        balance=None if balance is None else _parse_balance(balance, path, batteries, variables),
        path=str(path),
    )


def load_codebook() -> Codebook:
    """The package's codebook in the language text is being rendered in (`language.speaking`):
    English as written in codebook.yaml, else with that language's wording laid over it
    (`locale/<language>/codebook.yaml`); parsed and checked once per process and language."""
    return _codebook_in(language.current())


@functools.cache
def _codebook_in(code: str) -> Codebook:
    """The codebook with the wording of language `code` (`translated_codebook`)."""
    english = parse_codebook(CODEBOOK_PATH)
    if code == language.ENGLISH:
        return english
    return translated_codebook(english, codebook_translation_path(code))


def codebook_translation_path(code: str) -> Path:
    """A language's wording of the codebook: labels, questions, category and option labels."""
    return language.LOCALE_DIR / code / "codebook.yaml"


# What a language's codebook file may give for a variable; `source` is the source key of the
# national questionnaire whose own wording the entry uses (reference/sources.csv); an entry
# without one is a translation.
TRANSLATED_FIELDS = {"label", "question", "categories", "options", "source"}


def translated_codebook(english: Codebook, path: Path) -> Codebook:
    """`english` with the wording of a language's codebook file laid over it (absent entries stay
    English; the completeness test lists them). Errors name the file, the variable and the key."""
    if not path.is_file():
        return english
    raw = read_yaml(path) or {}
    unknown = sorted(set(raw) - {"variables", "non_substantive_codes", "batteries"})
    if unknown:
        raise CodebookError(f"{path}: unknown top-level key(s) {', '.join(unknown)}")
    non_substantive = dict(english.non_substantive_labels)
    non_substantive.update(_translated_labels(path, "non_substantive_codes", raw, non_substantive))
    batteries = dict(english.batteries)
    batteries.update(_translated_labels(path, "batteries", raw, batteries))
    variables = dict(english.variables)
    for name, entry in (raw.get("variables") or {}).items():
        if name not in variables:
            raise CodebookError(f"{path}: variable {name!r} is not in the codebook; remove it")
        if not isinstance(entry, dict) or set(entry) - TRANSLATED_FIELDS:
            raise CodebookError(
                f"{path}: variable {name!r}: give only {', '.join(sorted(TRANSLATED_FIELDS))}"
            )
        var = variables[name]
        where = f"variables.{name}"
        changes = {k: str(entry[k]) for k in ("label", "question") if entry.get(k)}
        changes["wording_source"] = str(entry.get("source") or "")
        if "categories" in entry:
            changes["categories"] = var.categories | _translated_labels(
                path, f"{where}.categories", entry, var.categories, key="categories"
            )
        if "options" in entry:
            changes["options"] = var.options | _translated_labels(
                path, f"{where}.options", entry, var.options, key="options"
            )
        variables[name] = replace(var, **changes)
    return replace(
        english, variables=variables, non_substantive_labels=non_substantive, batteries=batteries
    )


def _translated_labels(path: Path, where: str, raw: dict, english: dict, key: str = "") -> dict:
    """The labels a language's codebook gives under `where`, each for a code `english` has."""
    given = raw.get(key or where) or {}
    if not isinstance(given, dict):
        raise CodebookError(f"{path}: {where} must map codes to labels")
    known = {str(code): code for code in english}
    labels = {}
    for code, text in given.items():
        if str(code) not in known:
            raise CodebookError(
                f"{path}: {where}: {code!r} is not one of the codebook's codes "
                f"({', '.join(known)}); remove it or correct it"
            )
        labels[known[str(code)]] = str(text)
    return labels


# The parameter value that asks for the latest edition of every country (the Nordic report).
LATEST = "latest"


def countries() -> tuple[str, ...]:
    """The barometer countries' codes in the codebook's order (DK, NO, SE, FI, IS): the order in
    which every comparison and every list of editions shows them."""
    return tuple(str(code) for code in load_codebook()["country"].categories)


def country_name(code: str) -> str:
    """A country's name from its code ('NO' -> 'Norway'); the code itself when unknown."""
    categories = load_codebook()["country"].categories
    return categories.get(code, code)


def latest_editions(edition_ids) -> tuple[str, ...]:
    """The latest of the edition ids (`<CC>-<YYYY>`) of each country, in the codebook's country
    order."""
    latest: dict[str, str] = {}
    for edition_id in sorted(edition_ids, key=lambda e: (e[:2], int(e[3:]))):
        latest[edition_id[:2]] = edition_id
    return tuple(latest[c] for c in countries() if c in latest)


def _column(frame: pd.DataFrame, column: str, universe: str) -> pd.Series:
    """A column a universe is defined by, or an error saying which one is missing."""
    if column not in frame.columns:
        raise KeyError(
            f"universe {universe!r} needs column {column!r}, which the frame lacks; "
            "harmonise the data with the codebook first"
        )
    return frame[column]


def universe_mask(frame: pd.DataFrame, universe: str) -> np.ndarray:
    """Which rows of a harmonised frame are in a universe (missing answers count as outside)."""
    # lazy: the build's plan reads the codebook (its countries) without loading pandas
    import numpy as np
    import pandas as pd

    if universe == "all":
        return np.ones(len(frame), dtype=bool)
    if universe in ("innovators", "non_innovators"):
        wanted = 1 if universe == "innovators" else 0
        return _column(frame, "innovative", universe).eq(wanted).fillna(False).to_numpy(bool)
    if universe == "adapters_and_copiers":
        return _column(frame, "novelty", universe).isin([2, 3]).fillna(False).to_numpy(bool)
    if universe == "collaborators":
        partners = [_column(frame, c, universe) for c in load_codebook()["partner"].columns]
        ticked = pd.concat(partners, axis=1).eq(1).fillna(False)
        return ticked.any(axis=1).to_numpy(bool)
    raise ValueError(f"unknown universe {universe!r}; use one of {', '.join(UNIVERSES)}")


def _describe_codes(var: Variable, non_substantive: dict[int, str]) -> str:
    """Codes and labels on one line, for the printed table."""
    if var.type == "multiple":
        return "options: " + ", ".join(var.options)
    pairs = [f"{c}={label}" for c, label in var.categories.items()]
    pairs += [f"{c}={non_substantive[c]}" for c in var.non_substantive]
    return "; ".join(pairs) or f"({var.dtype})"


def codebook_table(codebook: Codebook) -> str:
    """The codebook as a fixed-width text table: variable, type, universe, theme, label, codes."""
    header = ("variable", "type", "universe", "theme", "label", "categories")
    rows = [
        (
            v.name,
            v.type,
            v.universe,
            v.theme,
            v.label,
            _describe_codes(v, codebook.non_substantive_labels),
        )
        for v in codebook.variables.values()
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths)) + "  " + cells[-1]

    rule = "  ".join("-" * w for w in widths) + "  " + "-" * len(header[-1])
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def print_codebook() -> int:
    """Print the package codebook as a readable table (the CLI's `codebook` command)."""
    print(codebook_table(load_codebook()))
    return 0


# The codebook holds a multiple-response option's codes (1, 0) but not their labels.
OPTION_LABELS = ("ticked", "not ticked")


def introduced_items(codebook: Codebook) -> tuple[str, ...]:
    """The four introduced_* items `innovative` is derived from (the codebook's battery)."""
    return tuple(variable.name for variable in codebook.battery("introduced"))


def required_columns(codebook: Codebook) -> tuple[str, ...]:
    """The columns every harmonised frame needs (`required: true` in the codebook)."""
    return tuple(name for name, variable in codebook.variables.items() if variable.required)


def allowed_codes(variable, codebook: Codebook) -> dict:
    """The codes an item may hold, with their codebook labels: its categories plus the don't
    know / not relevant it allows (1 ticked / 0 not ticked for a multiple-response option)."""
    if variable.type == "multiple":
        return dict(zip(variable.codes, OPTION_LABELS))
    return {code: codebook.label(variable, code) for code in variable.codes}
