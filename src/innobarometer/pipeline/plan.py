"""What the build makes: the theme notebooks, the active data set and one report per theme and
edition (or per edition set), each with the parameters it is run with and the editions it reads.

A theme is every `notebooks/<theme>.py` (jupytext py:percent with a `parameters` cell; names
starting with `_` are not themes). A theme whose parameters cell takes `editions` instead of
`country`/`edition` is built once per Nordic round (`data/rounds.yaml`: a round is a name and
its editions, or `latest`, the latest active edition of each country). A theme whose parameters
cell takes `country` but no `edition`, and whose reads cell is `reads = ["country"]` (the
trends), is built once per country with two or more active editions.

Editions delivered as tables (`data/delivered/<CC>-<YYYY>/`, `innobarometer.deliveries`) take
part in the rounds and trends as editions present; their files are inputs of the reports that
read them. An edition whose microdata is active is built from it.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from innobarometer import data_set, deliveries, paths
from innobarometer.codebook import LATEST, countries, latest_editions
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

    @property
    def per_country(self) -> bool:
        """Built once per country with two or more editions (the trends): its parameters take
        `country` but no edition, and its reads cell says so (`reads = ["country"]`), so that a
        misspelt `edition` is still reported rather than read as a trend."""
        return is_per_country(self.defaults) and self.reads == ("country",)


@dataclass(frozen=True)
class DataSet:
    """The active data set as the build needs it: editions and the files each report reads."""

    kind: str  # "demo" or "real"
    editions: tuple[str, ...]
    mappings: dict[str, Path]
    harmonised: dict[str, Path]
    facts: dict[str, Path]
    # Editions delivered as tables whose microdata is not active -> their files
    delivered: dict[str, tuple[Path, ...]] = dataclasses.field(default_factory=dict)

    @property
    def available(self) -> tuple[str, ...]:
        """The active editions and those delivered as tables, sorted: what a round or a trend
        may compare."""
        return tuple(sorted((*self.editions, *self.delivered)))


@dataclass(frozen=True)
class Report:
    """One product of the plan: a theme for an edition (or an edition set)."""

    theme: str
    key: str  # edition id, or the round's name for an edition-set theme
    notebook: Path
    parameters: dict
    reads: tuple[str, ...]  # edition ids whose harmonised data the notebook reads
    title: str
    edition_set: bool = False  # a report of a Nordic round rather than of one edition
    per_country: bool = False  # a report of one country's editions (a trend)
    compares: tuple[str, ...] = ()  # the round's active editions (an edition-set report)
    lacking: tuple[str, ...] = ()  # the round's editions that are neither active nor delivered
    delivered: tuple[str, ...] = ()  # the editions it compares from delivered tables

    @property
    def name(self) -> str:
        """`theme/key`, the report's id in the manifest."""
        return f"{self.theme}/{self.key}"

    def product(self, build: Path, suffix: str) -> Path:
        """`build/<theme>/<key><suffix>`."""
        return build / self.theme / f"{self.key}{suffix}"


ROUNDS_FILE = "rounds.yaml"
ROUND_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
EDITION_ID = re.compile(r"^[A-Z]{2}-\d{4}$")


@dataclass(frozen=True)
class Round:
    """One Nordic round: a name (the report's file name) and its editions, or `latest`."""

    name: str
    editions: tuple[str, ...] | str  # edition ids, or LATEST
    title: str = ""

    def resolve(self, active: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The round's active editions (in the codebook's country order) and those it lacks."""
        if self.editions == LATEST:
            return latest_editions(active), ()
        present = tuple(e for e in self.editions if e in active)
        lacking = tuple(e for e in self.editions if e not in active)
        # One edition per country (`load_rounds` checks), so this orders them by country.
        return latest_editions(present), lacking


def rounds_path() -> Path:
    """`data/rounds.yaml`: the Nordic rounds the build makes a report of."""
    return paths.project_root() / "data" / ROUNDS_FILE


def load_rounds(path: Path | None = None) -> tuple[Round, ...]:
    """The Nordic rounds of `data/rounds.yaml`, in the file's order; without the file, the one
    round `latest`. Raises BuildError naming the file, the round and the fix."""
    path = path or rounds_path()
    if not path.exists():
        return (Round(LATEST, LATEST, "the latest edition of each country"),)
    where = paths.display_path(path)
    example = (
        "rounds: [{name: '2018', editions: [DK-2017, NO-2018]}, {name: latest, editions: latest}]"
    )
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise BuildError(f"{where}: not valid YAML ({error}); e.g. {example}") from None
    entries = document.get("rounds") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        raise BuildError(f"{where}: needs a non-empty list `rounds`, e.g. {example}")
    rounds: list[Round] = []
    for number, entry in enumerate(entries, 1):
        name = str(entry.get("name", "")) if isinstance(entry, dict) else ""
        at = f"{where}: round {number} ({name or 'no name'})"
        if not ROUND_NAME.match(name):
            raise BuildError(f"{at}: `name` must be letters, digits, - or _ (it names the file)")
        if name in {r.name for r in rounds}:
            raise BuildError(f"{at}: the name {name!r} is used twice; give each round its own")
        editions = entry.get("editions")
        if editions == LATEST:
            rounds.append(Round(name, LATEST, str(entry.get("title", ""))))
            continue
        if not isinstance(editions, list) or not editions:
            raise BuildError(f"{at}: `editions` must be {LATEST!r} or a list such as [DK-2017]")
        wrong = [str(e) for e in editions if not EDITION_ID.match(str(e))]
        countries_seen = [str(e)[:2] for e in editions]
        if wrong:
            raise BuildError(f"{at}: {', '.join(wrong)} not an edition id such as DK-2017")
        if len(set(countries_seen)) != len(countries_seen):
            raise BuildError(f"{at}: a round has at most one edition of each country")
        rounds.append(Round(name, tuple(map(str, editions)), str(entry.get("title", ""))))
    return tuple(rounds)


def is_edition_set(defaults: dict) -> bool:
    """Whether a theme's parameters make it a report of an edition set (`editions` instead of
    `country` and `edition`)."""
    return "editions" in defaults and "edition" not in defaults


def is_per_country(defaults: dict) -> bool:
    """Whether a theme's parameters make it a report of one country's editions (`country`
    without `edition` or `editions`)."""
    return "country" in defaults and "edition" not in defaults and "editions" not in defaults


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
        delivered=load_delivered(editions),
    )


def load_delivered(active: tuple[str, ...]) -> dict[str, tuple[Path, ...]]:
    """The editions delivered as tables whose microdata is not active, and their files; a
    folder missing a file is an error naming it and the fix."""
    try:
        delivered = deliveries.delivered_only(active)
    except data_set.DataSetError as error:
        raise BuildError(str(error)) from None
    found = {}
    for edition in delivered:
        files = deliveries.delivery_files(edition)
        for path in files:
            if not path.is_file():
                raise BuildError(
                    f"{paths.display_path(path)} is missing: a delivered edition's folder holds "
                    f"{', '.join(deliveries.DELIVERED_FILES)}; ask its partner to export it again "
                    f"with `python -m innobarometer deliver {edition}` and replace the folder"
                )
        found[edition] = files
    return found


def theme_title(theme: str) -> str:
    """A theme's name as a heading: `drivers` -> `Drivers`."""
    return theme.replace("_", " ").capitalize()


def plan_reports(themes: list[Theme], data_set: DataSet) -> list[Report]:
    """Every report of the full plan, in theme then edition order, edition-set themes last (one
    report per round of `data/rounds.yaml`); each reads what its notebook declares
    (`READ_SCOPES`)."""
    reports = []
    for theme in [t for t in themes if not t.per_edition_set and not t.per_country]:
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
    for theme in [t for t in themes if t.per_country]:
        reports.extend(_country_reports(theme, data_set))
    set_themes = [t for t in themes if t.per_edition_set]
    rounds = load_rounds() if set_themes else ()
    for theme in set_themes:
        for number, round_ in enumerate(rounds):
            previous = rounds[number - 1] if number else None
            reports.extend(_round_report(theme, round_, data_set, previous))
    return reports


def _country_reports(theme: Theme, data_set: DataSet) -> list[Report]:
    """A per-country theme's report of every country with two or more active editions (a
    country with one has no trend: the index says so)."""
    reports = []
    for country in countries():
        editions = tuple(e for e in data_set.available if e.startswith(f"{country}-"))
        if len(editions) < 2:
            continue
        reports.append(
            Report(
                theme=theme.name,
                key=country,
                notebook=theme.notebook,
                parameters={"country": country},
                reads=editions,
                title=f"{theme_title(theme.name)}: {', '.join(editions)}",
                per_country=True,
                compares=editions,
                delivered=tuple(e for e in editions if e in data_set.delivered),
            )
        )
    return reports


def _round_report(
    theme: Theme, round_: Round, data_set: DataSet, previous: Round | None = None
) -> list[Report]:
    """An edition-set theme's report of one round; none when no edition of it is active. The
    theme gets the round's editions, and its name and lacking editions when its parameters cell
    takes `round` and `lacking`."""
    present, lacking = round_.resolve(data_set.available)
    if not present:
        return []
    reads = present if "editions" in theme.reads else ()
    if "countries" in theme.reads:
        countries = {e[:2] for e in present}
        reads += tuple(e for e in data_set.available if e[:2] in countries)
    # `latest` stays a word: the notebook resolves it, as `codebook.latest_editions` does here.
    parameters = {"editions": LATEST if round_.editions == LATEST else list(present)}
    if "round" in theme.defaults:
        parameters["round"] = round_.name
    if "lacking" in theme.defaults:
        parameters["lacking"] = list(lacking)
    if "previous_editions" in theme.defaults:
        # The round before it in the file: the report shows each country's change since then.
        earlier = previous.resolve(data_set.available)[0] if previous else ()
        parameters["previous_round"] = previous.name if previous else ""
        parameters["previous_editions"] = list(earlier)
    named = "" if round_.name == LATEST else f" round {round_.name}"
    return [
        Report(
            theme=theme.name,
            key=round_.name,
            notebook=theme.notebook,
            parameters=parameters,
            reads=tuple(sorted(set(reads))),
            title=f"{theme_title(theme.name)}{named}: {', '.join(present)}",
            edition_set=True,
            compares=present,
            lacking=lacking,
            delivered=tuple(e for e in present if e in data_set.delivered),
        )
    ]


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
