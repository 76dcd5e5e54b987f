"""What the build makes: the theme notebooks, the active data set and one report per theme and
edition (or per edition set), each with the parameters it is run with and the editions it reads.

A theme is every `notebooks/<theme>.py` (jupytext py:percent with a `parameters` cell; names
starting with `_` are not themes). A theme whose parameters cell takes `editions` instead of
`country`/`edition` is built once, for the latest edition of every country.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from innobarometer import data_set, paths
from innobarometer.codebook import LATEST, latest_editions
from innobarometer.wording import did_you_mean

# What a notebook may declare it reads, in a cell tagged `reads` (`reads = ["edition", ...]`): the
# build hashes those editions' files, so a report is rebuilt when one of them changes, and only
# then. Without the cell a theme reads its own edition, or the editions of its `editions`.
READ_SCOPES = {
    "edition": "its own edition (a theme built per edition)",
    "country": "every active edition of its country (a trend)",
    "editions": "the editions of its `editions` parameter (a theme built per edition set)",
    "countries": "every active edition of the countries of its editions (an edition set)",
}
CELL_HEADER = re.compile(r"^# %%")


def _cell_header(tag: str) -> re.Pattern:
    """The py:percent header line of a cell tagged `tag`."""
    return re.compile(rf"^# %%.*\btags\s*=\s*\[[^\]]*[\"']{tag}[\"']")


class BuildError(Exception):
    """A problem found before any kernel starts: the message says what and how to fix it."""


@dataclass(frozen=True)
class Theme:
    """One theme notebook and the defaults of its parameters cell."""

    name: str
    notebook: Path
    defaults: dict
    parameters_line: int
    reads: tuple[str, ...]  # READ_SCOPES the notebook declares

    @property
    def per_edition_set(self) -> bool:
        """Built once for a set of editions (the Nordic report) rather than per edition."""
        return is_edition_set(self.defaults)


@dataclass(frozen=True)
class DataSet:
    """The active data set as the build needs it: editions and the files each report reads."""

    kind: str  # "demo" or "real"
    editions: tuple[str, ...]
    mappings: dict[str, Path]
    harmonised: dict[str, Path]
    facts: dict[str, Path]


@dataclass(frozen=True)
class Report:
    """One product of the plan: a theme for an edition (or an edition set)."""

    theme: str
    key: str  # edition id, or "latest" for an edition-set theme
    notebook: Path
    parameters: dict
    reads: tuple[str, ...]  # edition ids whose harmonised data the notebook reads
    title: str

    @property
    def name(self) -> str:
        """`theme/key`, the report's id in the manifest."""
        return f"{self.theme}/{self.key}"

    def product(self, build: Path, suffix: str) -> Path:
        """`build/<theme>/<key><suffix>`."""
        return build / self.theme / f"{self.key}{suffix}"


def is_edition_set(defaults: dict) -> bool:
    """Whether a theme's parameters make it a report of an edition set (`editions` instead of
    `country` and `edition`)."""
    return "editions" in defaults and "edition" not in defaults


def read_parameters(notebook: Path) -> tuple[dict, int]:
    """The literal defaults of a py:percent notebook's `parameters` cell, and the cell's line.

    Raises BuildError when a value is not a literal (papermill and the build compare literals).
    """
    return _literal_cell(notebook, "parameters")


def read_declared_reads(notebook: Path, defaults: dict) -> tuple[str, ...]:
    """What a notebook reads (`READ_SCOPES`): its `reads` cell, else what its parameters imply.

    Raises BuildError for a scope that is not known or does not fit the theme's parameters.
    """
    per_edition_set = is_edition_set(defaults)
    declared, line = _literal_cell(notebook, "reads")
    if not line:
        return ("editions",) if per_edition_set else ("edition",)
    scopes = declared.get("reads")
    if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
        raise BuildError(
            f"{notebook}: line {line}: the reads cell must set `reads` to a list of names, e.g. "
            f'reads = ["edition", "country"]; names: {", ".join(READ_SCOPES)}'
        )
    fitting = {"editions", "countries"} if per_edition_set else {"edition", "country"}
    for scope in scopes:
        if scope not in READ_SCOPES:
            raise BuildError(
                f"{notebook}: line {line}: reads {scope!r} is not a scope"
                f"{did_you_mean(scope, READ_SCOPES)}; use "
                + "; ".join(f"{name}: {what}" for name, what in READ_SCOPES.items())
            )
        if scope not in fitting:
            kind = "an edition set" if per_edition_set else "one edition"
            raise BuildError(
                f"{notebook}: line {line}: reads {scope!r} does not fit a theme built for {kind} "
                f"(its parameters cell); use {' or '.join(sorted(fitting))}"
            )
    return tuple(dict.fromkeys(scopes))


def _literal_cell(notebook: Path, tag: str) -> tuple[dict, int]:
    """The literal assignments of the notebook's cell tagged `tag`, and the cell's line (0 when
    there is no such cell)."""
    lines = notebook.read_text(encoding="utf-8").splitlines()
    header = _cell_header(tag)
    start = next((i for i, line in enumerate(lines) if header.match(line)), None)
    if start is None:
        return {}, 0
    end = next((i for i in range(start + 1, len(lines)) if CELL_HEADER.match(lines[i])), len(lines))
    source = "\n".join(lines[start + 1 : end])
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise BuildError(
            f"{notebook}: line {start + 1 + (error.lineno or 0)}: the {tag} cell is not "
            f"valid Python ({error.msg}); fix it so that each line is `name = literal`"
        ) from None
    values = {}
    for statement in tree.body:
        target = statement.targets[0] if isinstance(statement, ast.Assign) else None
        if isinstance(statement, ast.AnnAssign):
            target = statement.target
        if not isinstance(target, ast.Name) or statement.value is None:
            continue
        try:
            values[target.id] = ast.literal_eval(statement.value)
        except ValueError:
            raise BuildError(
                f"{notebook}: line {start + 1 + statement.lineno}: "
                f"{'parameter' if tag == 'parameters' else 'name'} {target.id!r} is not a literal; "
                f"write a plain value (string, number, list) in the {tag} cell"
            ) from None
    return values, start + 1


def discover_themes(notebooks: Path | None = None) -> list[Theme]:
    """Every `notebooks/*.py` with a parameters cell whose name does not start with `_`."""
    notebooks = notebooks or paths.notebooks_dir()
    themes = []
    for notebook in sorted(notebooks.glob("*.py")):
        if notebook.name.startswith("_"):
            continue
        defaults, line = read_parameters(notebook)
        if line:
            reads = read_declared_reads(notebook, defaults)
            themes.append(Theme(notebook.stem, notebook, defaults, line, reads))
    return themes


def load_data_set(data: str | None = None) -> DataSet:
    """The active data set (demo or real) from `innobarometer.data_set`."""
    try:
        active = data_set.active_set(data)
    except data_set.DataSetError as error:
        raise BuildError(str(error)) from None
    editions = tuple(sorted(active.editions))
    return DataSet(
        kind=active.kind,
        editions=editions,
        mappings={edition: Path(active.mappings[edition]) for edition in editions},
        harmonised={edition: Path(data_set.harmonised_path(edition)) for edition in editions},
        facts={edition: Path(data_set.facts_path(edition)) for edition in editions},
    )


def theme_title(theme: str) -> str:
    """A theme's name as a heading: `drivers` -> `Drivers`."""
    return theme.replace("_", " ").capitalize()


def plan_reports(themes: list[Theme], data_set: DataSet) -> list[Report]:
    """Every report of the full plan, in theme then edition order, edition-set themes last; each
    reads what its notebook declares (`READ_SCOPES`)."""
    reports = []
    for theme in [t for t in themes if not t.per_edition_set]:
        for edition in data_set.editions:
            country, year = edition.split("-")
            reads = (edition,) if "edition" in theme.reads else ()
            if "country" in theme.reads:
                reads += tuple(e for e in data_set.editions if e.startswith(f"{country}-"))
            reports.append(
                Report(
                    theme=theme.name,
                    key=edition,
                    notebook=theme.notebook,
                    parameters={"country": country, "edition": int(year)},
                    reads=tuple(sorted(set(reads))),
                    title=f"{theme_title(theme.name)}: {edition}",
                )
            )
    latest = latest_editions(data_set.editions)
    for theme in [t for t in themes if t.per_edition_set]:
        reads = latest if "editions" in theme.reads else ()
        if "countries" in theme.reads:
            countries = {e[:2] for e in latest}
            reads += tuple(e for e in data_set.editions if e[:2] in countries)
        reports.append(
            Report(
                theme=theme.name,
                key=LATEST,
                notebook=theme.notebook,
                # The notebook resolves `latest` itself, as `codebook.latest_editions` does here.
                parameters={"editions": LATEST},
                reads=tuple(sorted(set(reads))),
                title=f"{theme_title(theme.name)}: {', '.join(latest)}",
            )
        )
    return reports


def _split(option: str | None) -> list[str]:
    """A comma-separated option as a list of names."""
    return [item.strip() for item in (option or "").split(",") if item.strip()]


def select_reports(reports: list[Report], themes: str | None, editions: str | None) -> list[Report]:
    """The reports named by `--themes`, `--editions` (comma-separated; `latest`: edition sets)."""
    known_themes = list(dict.fromkeys(r.theme for r in reports))
    known_keys = list(dict.fromkeys(r.key for r in reports))
    wanted_themes, wanted_keys = _split(themes), _split(editions)
    for name in wanted_themes:
        if name not in known_themes:
            raise BuildError(
                f"--themes: no theme {name!r}{did_you_mean(name, known_themes)}; themes are the "
                f"notebooks/*.py with a parameters cell: {', '.join(known_themes) or 'none'}"
            )
    for key in wanted_keys:
        if key not in known_keys:
            raise BuildError(
                f"--editions: {key!r} is not an active edition{did_you_mean(key, known_keys)}; "
                f"active: {', '.join(known_keys) or 'none'} (a new mapping needs `make data`)"
            )
    return [
        r
        for r in reports
        if (not wanted_themes or r.theme in wanted_themes)
        and (not wanted_keys or r.key in wanted_keys)
    ]


def validate_parameters(reports: list[Report], themes: dict[str, Theme], overrides: dict) -> None:
    """Fail before any kernel starts when a report passes a name its parameters cell lacks."""
    problems = []
    for theme_name in dict.fromkeys(r.theme for r in reports):
        theme = themes[theme_name]
        passed = {
            name for r in reports if r.theme == theme_name for name in (*r.parameters, *overrides)
        }
        for name in sorted(passed - set(theme.defaults)):
            problems.append(
                f"{theme.notebook}: parameter {name!r} is not in the parameters cell "
                f"(line {theme.parameters_line}){did_you_mean(name, theme.defaults)}; valid names: "
                f"{', '.join(theme.defaults) or 'none'}"
            )
    if problems:
        raise BuildError("\n".join(problems))
