"""Editions delivered as estimate tables rather than microdata, and the export that makes them.

A partner runs `python -m innobarometer deliver <CC>-<YYYY>` on its own national build: the
package computes, with the functions the Nordic and trend reports call, every estimate those
reports take of one edition (shares with standard errors, counts, suppression, and the degrees of
freedom of each share's base, which a comparison between independent samples needs), the one
within-edition test they show (`copiers_spread_less`), and the edition's facts, and writes them
to a folder (`DELIVERED_FILES`). Placed as `data/delivered/<CC>-<YYYY>/`, the edition is a
`DeliveredEdition`: the estimators (`estimate_indicators`, `estimate_variable`,
`estimate_battery`) answer from its tables instead of computing, so the rounds and trends are
built as from microdata and give the same numbers. A suppressed cell stays suppressed (its
estimate is blank in the table and nothing recomputes it); what the tables do not hold is an error
naming the file and the fix, never a silent gap.

A delivered edition's frame holds no answers: one row per responding unit (so counts read right)
with every asked column empty except `unit_level` and `innovative` (as many ones as innovators,
in no unit's order: a count, not an answer); its design refuses every computation.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from innobarometer import deliveries
from innobarometer.analysis.differences import PAIR_COLUMNS
from innobarometer.analysis.editions import (
    AnalysisError,
    Edition,
    active_editions,
    declared_reads,
    load_edition,
)
from innobarometer.codebook import LATEST, latest_editions, load_codebook
from innobarometer.data_set import DataSetError, EditionFacts, active_set
from innobarometer.paths import display_path, write_atomically
from innobarometer.survey.estimate import TIDY_COLUMNS

# The estimate tables a delivery holds: which estimator made each row (`source`), for what
# (`request`: an indicator, a variable or a battery; `scope`: a published figure's scope, or
# empty), the tidy row, and the degrees of freedom of the row's base.
SOURCES = ("indicators", "variable", "battery")
ESTIMATE_COLUMNS = ["source", "request", "scope", *TIDY_COLUMNS, "df"]
# The within-edition tests a delivery holds, by name (rows of a table of pairs).
DIFFERENCE_NAMES = ("copiers_spread_less",)
TEXT = ["source", "request", "scope", "indicator", "category", "domain", "group", "ci_method"]
TEXT += ["flag", "suppression", "group_label", "category_label"]
DIFFERENCE_TEXT = ["name", "label", "first", "second", "family", "flag_first", "flag_second"]
DELIVER_COMMAND = "python -m innobarometer deliver {edition} --threshold {threshold} --ci {ci}"


class NoMicrodata:
    """The design of a delivered edition: every use is an error saying that the computation
    needs the partner's microdata."""

    def __init__(self, edition_id: str):
        self.edition_id = edition_id

    def __getattr__(self, name: str):
        raise AnalysisError(
            f"{self.edition_id} is delivered as estimate tables (data/delivered/"
            f"{self.edition_id}/): this computation needs its microdata, which stays with its "
            "partner; only what the tables hold can be shown for it"
        )


@dataclass(frozen=True)
class DeliveredEdition(Edition):
    """An edition delivered as tables (`data/delivered/<CC>-<YYYY>/`)."""

    delivered = True  # the estimators answer from `rows` and `df`

    folder: Path = Path()
    estimates: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    differences: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    delivery: dict = dataclasses.field(default_factory=dict)

    @property
    def empty_columns(self) -> frozenset[str]:
        # The facts list only the columns the edition asked (`deliver` wrote them so).
        return frozenset()

    def _check_options(self, ci_method: str | None, threshold: int) -> None:
        """The request's options are those the tables were made with, else an error: a cell is
        never un-suppressed or re-estimated here."""
        made = (self.delivery["ci_method"], int(self.delivery["threshold"]))
        if (ci_method or made[0], threshold) != made:
            command = DELIVER_COMMAND.format(
                edition=self.edition_id, threshold=threshold, ci=ci_method or made[0]
            )
            raise AnalysisError(
                f"{display_path(self.folder / 'delivery.json')}: the tables were made with "
                f"interval {made[0]} and threshold {made[1]}, this report asks interval "
                f"{ci_method} and threshold {threshold}; run the report with the delivery's "
                f"options, or ask the partner for tables made with `{command}`"
            )

    def rows(self, source: str, request: str, scope: str, by, ci_method, threshold):
        """The tidy rows the estimator `source` gave for `request` (and `scope`) when the
        partner exported them; an error naming the file and the fix when the tables lack them."""
        where = display_path(self.folder / "estimates.csv")
        if by is not None:
            raise AnalysisError(
                f"{where}: estimates of {self.edition_id} by group ({by!r}) need its microdata; "
                "the delivered tables hold the whole edition only"
            )
        self._check_options(ci_method, threshold)
        if [source, request, scope] not in self.delivery["requests"]:
            raise AnalysisError(
                f"{where}: no {source} estimate of {request!r}"
                f"{f' (scope {scope})' if scope else ''}; the tables were made for other reports "
                "or by another version of the package: ask the partner to export them again with "
                f"`python -m innobarometer deliver {self.edition_id}`"
            )
        table = self.estimates
        found = table[
            (table["source"] == source) & (table["request"] == request) & (table["scope"] == scope)
        ]
        return found[TIDY_COLUMNS].reset_index(drop=True)

    def df(self, source: str, request: str, indicator: str, category: str) -> float:
        """The degrees of freedom of one delivered share's base."""
        table = self.estimates
        found = table[
            (table["source"] == source)
            & (table["request"] == request)
            & (table["scope"] == "")
            & (table["indicator"] == indicator)
            & (table["category"] == str(category))
        ]
        if found.empty:
            raise AnalysisError(
                f"{display_path(self.folder / 'estimates.csv')}: no row {source} {request} "
                f"{indicator} {category}; ask the partner to export the tables again with "
                f"`python -m innobarometer deliver {self.edition_id}`"
            )
        return float(found["df"].iloc[0])

    def difference(self, name: str, threshold: int) -> pd.DataFrame:
        """The delivered rows of a within-edition test (`DIFFERENCE_NAMES`)."""
        self._check_options(None, threshold)
        table = self.differences
        return table[table["name"] == name].drop(columns="name").reset_index(drop=True)


def is_delivered(edition) -> bool:
    """Whether an edition is delivered as tables."""
    return bool(edition.delivered)


# --- reading a delivery ----------------------------------------------------------------------


def _read_csv(path: Path, columns: list[str], text: list[str], fix: str) -> pd.DataFrame:
    """A delivered CSV with every column of `columns`, typed as the package writes them."""
    where = display_path(path)
    try:
        table = pd.read_csv(path, dtype={c: str for c in text}, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as error:
        raise AnalysisError(
            f"{where}: not a CSV the deliver command writes ({error}); {fix}"
        ) from None
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise AnalysisError(
            f"{where}: column {', '.join(missing)} missing (a delivery's {path.name} has the "
            f"columns {', '.join(columns)}); {fix}"
        )
    table = table[columns]
    for column in columns:
        if column in text:
            continue
        written = table[column].astype(str)
        if column == "suppressed":
            values = table[column].astype(str).str.lower()
            wrong = ~values.isin(["true", "false"])
            table[column] = values == "true"
        elif column.startswith("n_"):
            numbers = pd.to_numeric(table[column], errors="coerce")
            wrong = numbers.isna()
            table[column] = numbers.fillna(0).astype(np.int64)
        else:
            numbers = pd.to_numeric(table[column].replace("", np.nan), errors="coerce")
            wrong = numbers.isna() & (table[column].astype(str) != "")
            table[column] = numbers.astype(float)
        if wrong.any():
            row = int(np.flatnonzero(wrong.to_numpy())[0]) + 2  # the header is line 1
            raise AnalysisError(
                f"{where}: line {row}, column {column}: {written.iloc[row - 2]!r} is not "
                f"a {'true/false' if column == 'suppressed' else 'number'}; {fix}"
            )
    return table


def load_delivered(edition_id: str) -> DeliveredEdition:
    """A delivered edition from `data/delivered/<CC>-<YYYY>/`; errors name the file, the column
    and the fix. Refused, as `load_edition` refuses, when the running report does not declare it."""
    declared = declared_reads()
    if declared is not None and edition_id not in declared:
        raise AnalysisError(
            f"this report reads the delivered edition {edition_id}, which the build did not plan "
            "for it; rebuild with `make all` so that the plan counts data/delivered/"
        )
    files = deliveries.delivery_files(edition_id)
    stamp = tuple((str(f), *_identity(f)) for f in files)
    return _read_delivered(edition_id, stamp)


def _identity(path: Path) -> tuple[int, ...]:
    try:
        status = path.stat()
    except FileNotFoundError:
        return 0, 0, 0
    return status.st_ino, status.st_mtime_ns, status.st_size


@functools.lru_cache(maxsize=16)
def _read_delivered(edition_id: str, stamp: tuple) -> DeliveredEdition:
    folder = deliveries.delivered_dir() / edition_id
    fix = (
        f"ask the partner to export {edition_id} again with `python -m innobarometer deliver "
        f"{edition_id}` and replace {display_path(folder)} with the folder it writes"
    )
    for path in deliveries.delivery_files(edition_id):
        if not path.is_file():
            raise AnalysisError(
                f"{display_path(path)} is missing: a delivered edition's folder holds "
                f"{', '.join(deliveries.DELIVERED_FILES)}; {fix}"
            )
    try:
        facts = EditionFacts.from_json((folder / "facts.json").read_text(encoding="utf-8"))
        delivery = json.loads((folder / "delivery.json").read_text(encoding="utf-8"))
    except (ValueError, TypeError, KeyError) as error:
        raise AnalysisError(
            f"{display_path(folder)}: facts.json or delivery.json: {error}; {fix}"
        ) from None
    wanted = ("edition", "threshold", "ci_method", "units", "innovators", "requests")
    lacking = [k for k in wanted if k not in delivery]
    if lacking:
        raise AnalysisError(
            f"{display_path(folder / 'delivery.json')}: key {', '.join(lacking)} missing; {fix}"
        )
    if facts.edition_id != edition_id or delivery["edition"] != edition_id:
        raise AnalysisError(
            f"{display_path(folder)}: the tables are of {facts.edition_id}, not {edition_id}; "
            f"put them in data/delivered/{facts.edition_id}/"
        )
    demo = active_set().kind == "demo"
    if facts.synthetic != demo:
        kind = "synthetic" if facts.synthetic else "national survey"
        raise AnalysisError(
            f"{display_path(folder / 'facts.json')}: the tables hold {kind} data, the active data "
            f"set is {'the synthetic demo' if demo else 'real'}; the two are never mixed: move "
            f"{display_path(folder)} out of data/delivered/ or build the other data set"
        )
    estimates = _read_csv(folder / "estimates.csv", ESTIMATE_COLUMNS, TEXT, fix)
    columns = ["name", *PAIR_COLUMNS]
    differences = _read_csv(folder / "differences.csv", columns, DIFFERENCE_TEXT, fix)
    frame = _count_frame(facts, int(delivery["units"]), int(delivery["innovators"]))
    return DeliveredEdition(
        edition_id,
        frame,
        NoMicrodata(edition_id),
        facts,
        folder=folder,
        estimates=estimates,
        differences=differences,
        delivery=delivery | {"requests": [list(r) for r in delivery["requests"]]},
    )


def _count_frame(facts: EditionFacts, units: int, innovators: int) -> pd.DataFrame:
    """One row per responding unit, no answers: the asked columns empty but `unit_level` and
    `innovative` (the innovators' count), so that counts and units read right."""
    columns = sorted(facts.columns - {"unit_level", "innovative"})
    frame = pd.DataFrame(pd.NA, index=range(units), columns=columns, dtype="Int8")
    frame["unit_level"] = pd.Categorical([facts.unit_level] * units)
    frame["innovative"] = pd.array([1] * innovators + [0] * (units - innovators), dtype="Int8")
    return frame


# --- the editions a round or trend reads -------------------------------------------------------


def available_editions(data: str | None = None) -> list[str]:
    """The editions of the active data set and those delivered as tables (whose microdata is
    not in it), sorted."""
    active = active_editions(data)
    try:
        delivered = deliveries.delivered_only(active)
    except DataSetError as error:
        raise AnalysisError(str(error)) from None
    return sorted([*active, *delivered])


def load_any(edition_id: str, data: str | None = None) -> Edition:
    """An edition from its microdata when the active data set has it, else from its delivered
    tables."""
    if edition_id in active_editions(data):
        return load_edition(edition_id, data)
    return load_delivered(edition_id)


def open_round(editions, threshold: int, ci_method: str, data=None):
    """The Nordic report's editions (loaded, microdata or delivered tables) and estimation
    options, checked first: `latest` (each country's latest) or a list of edition ids."""
    # lazy: the options are checked as every report checks them
    from innobarometer.analysis.editions import check_options
    from innobarometer.wording import did_you_mean

    options = check_options(threshold, ci_method)
    known = available_editions(data)
    if editions == LATEST:
        chosen = list(latest_editions(known))
    elif isinstance(editions, str) or not isinstance(editions, (list, tuple)) or not editions:
        raise AnalysisError(
            f"editions must be {LATEST!r} or a list of edition ids such as ['DK-2023'], "
            f"not {editions!r}"
        )
    else:
        unknown = [e for e in editions if e not in known]
        if unknown:
            raise AnalysisError(
                f"not active or delivered editions: {', '.join(map(str, unknown))}"
                f"{did_you_mean(str(unknown[0]), known)}; available: {', '.join(known) or 'none'}"
            )
        chosen = list(editions)
    return [load_any(e, data) for e in chosen], options


# --- degrees of freedom of a share's base -----------------------------------------------------


def _codes(edition: Edition, column: str) -> np.ndarray:
    return edition.frame[column].astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def share_df(edition: Edition, source: str, request: str, indicator: str, category) -> float:
    """The degrees of freedom of the base of one whole-edition share (a tidy row of `source`
    for `request`): a published indicator's base; a variable's (everyone who answered a
    single-choice or ordinal item, the substantive answers of a binary item or an option);
    a battery item's substantive answers. Delivered: the partner's figure."""
    if is_delivered(edition):
        return edition.df(source, request, indicator, category)
    # lazy: the published indicators' values are only needed for their base
    from innobarometer.indicators import indicator_values

    codebook = load_codebook()
    if source == "indicators":
        base = ~np.isnan(indicator_values(edition.frame, request).to_numpy(dtype=float))
    else:
        var = codebook[request if source == "variable" else indicator]
        column = f"{var.name}_{category}" if var.type == "multiple" else var.name
        if column not in edition.frame:
            return float("nan")  # a row of no one column (the mean number of options ticked)
        codes = _codes(edition, column)
        base = ~np.isnan(codes)
        if source == "battery" or var.type not in ("single", "ordinal"):
            base &= ~np.isin(codes, var.non_substantive)
    return float(edition.design.domain_degrees_of_freedom(base))


# --- the export ------------------------------------------------------------------------------

# The themes whose headline indicators the Nordic and trend reports compare.
COMPARED_THEMES = ("overview", "collaboration", "diffusion", "drivers", "barriers")
# The variables and batteries the Nordic report shows by country.
VARIABLES = ("novelty", "partner", "initiator")
BATTERY_VARIABLES = ("introduced", "effects")
BATTERY = "factors"


def export_requests(edition: Edition) -> list[tuple[str, str, str]]:
    """Every (source, request, scope) the Nordic and trend reports estimate of one edition."""
    # lazy: the published figures and theme lists are read only by the export
    from innobarometer.analysis.estimates import battery_items
    from innobarometer.analysis.published import NORDIC_REPORT, headline_indicators
    from innobarometer.indicators import published_figures

    indicators = ["innovative"]
    for theme in COMPARED_THEMES:
        indicators += headline_indicators(theme)
    requests = [("indicators", i, "") for i in dict.fromkeys(indicators)]
    figures = published_figures()
    mine = figures[
        (figures["country"] == edition.country)
        & figures["edition"].astype(str).isin([str(edition.year), NORDIC_REPORT])
    ]
    for indicator, scope in dict.fromkeys(zip(mine["indicator"], mine["scope"].fillna(""))):
        if scope:
            requests.append(("indicators", indicator, str(scope)))
    variables = list(VARIABLES)
    for battery in BATTERY_VARIABLES:
        variables += battery_items(battery)
    requests += [("variable", v, "") for v in dict.fromkeys(variables)]
    requests.append(("battery", BATTERY, ""))
    return requests


def estimate_request(edition: Edition, source: str, request: str, scope: str, **options):
    """The tidy rows of one request, as the reports' estimators give them."""
    # lazy: the estimators dispatch to this module for delivered editions
    from innobarometer.analysis.estimates import (
        estimate_battery,
        estimate_indicators,
        estimate_variable,
    )

    if source == "indicators":
        return estimate_indicators(edition, [request], scope=scope or None, **options)
    if source == "variable":
        return estimate_variable(edition, request, **options)
    return estimate_battery(edition, request, **options)


def export_tables(edition: Edition, threshold: int, ci_method: str):
    """A microdata edition's delivery: (estimates, differences, facts, delivery) as written."""
    # lazy: the Nordic analysis reads this module
    from innobarometer.analysis.estimates import unasked_columns
    from innobarometer.analysis.nordic import spread_by_novelty

    if is_delivered(edition):
        raise AnalysisError(f"{edition.edition_id} is delivered as tables: nothing to export")
    options = {"ci_method": ci_method, "threshold": threshold}
    requests = export_requests(edition)
    parts = []
    for source, request, scope in requests:
        table = estimate_request(edition, source, request, scope, **options)
        if table.empty:
            continue
        dfs = [
            share_df(edition, source, request, row.indicator, row.category) if not scope else np.nan
            for row in table.itertuples()
        ]
        parts.append(table.assign(source=source, request=request, scope=scope, df=dfs))
    estimates = pd.concat(parts, ignore_index=True)[ESTIMATE_COLUMNS]
    spread = spread_by_novelty(edition, threshold)
    differences = spread.assign(name="copiers_spread_less")[["name", *PAIR_COLUMNS]]
    codebook = load_codebook()
    unasked = {c for name in codebook.variables for c in unasked_columns(edition, name)}
    facts = dataclasses.replace(edition.facts, columns=edition.facts.columns - unasked)
    delivery = {
        "edition": edition.edition_id,
        "threshold": threshold,
        "ci_method": ci_method,
        "units": len(edition.frame),
        "innovators": int((edition.frame["innovative"] == 1).fillna(False).sum()),
        "requests": [list(r) for r in requests],
    }
    return estimates, differences, facts, delivery


def write_delivery(edition: Edition, folder: Path, threshold: int, ci_method: str) -> list[Path]:
    """Write an edition's delivery into `folder` (each file atomically, same bytes for the same
    edition); the files written."""
    estimates, differences, facts, delivery = export_tables(edition, threshold, ci_method)
    folder.mkdir(parents=True, exist_ok=True)
    contents = {
        "estimates.csv": estimates.to_csv(index=False, lineterminator="\n"),
        "differences.csv": differences.to_csv(index=False, lineterminator="\n"),
        "facts.json": facts.to_json(),
        "delivery.json": json.dumps(delivery, indent=1, sort_keys=True) + "\n",
    }
    written = []
    for name in deliveries.DELIVERED_FILES:
        write_atomically(folder / name, contents[name])
        written.append(folder / name)
    return written


def run_deliver_command(args) -> int:
    """`python -m innobarometer deliver EDITION [--to FOLDER] [--threshold N] [--ci METHOD]`:
    the edition's delivery, by default into `build/delivered/<CC>-<YYYY>/`."""
    # lazy: the options are checked as every report checks them
    from innobarometer.analysis.editions import check_options
    from innobarometer.paths import build_dir

    try:
        try:
            options = check_options(args.threshold, args.ci)
        except ValueError as error:  # an unknown interval method: the user's choice, said so
            raise AnalysisError(f"--ci/--threshold: {error}") from None
        edition = load_edition(args.edition, args.data)
        folder = Path(args.to) if args.to else build_dir() / "delivered" / args.edition
        written = write_delivery(edition, folder, options["threshold"], options["ci_method"])
    except (AnalysisError, DataSetError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(display_path(path))
    print(
        f"Send the folder {display_path(folder)} to the partner building the Nordic reports: "
        f"placed as data/delivered/{edition.edition_id}/ it takes part in the rounds and trends "
        "without the microdata (estimates, standard errors, degrees of freedom, counts; "
        "suppressed cells stay blank)."
    )
    return 0
