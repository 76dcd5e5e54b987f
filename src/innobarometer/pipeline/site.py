"""What the build puts around each report from the plan: its header (the site's pages, its CSV,
the other themes of its edition and the same theme in the other editions of its country), the
place its H1 names, and how to cite it. The hash of all three is one of the report's inputs, so a
new edition or theme rebuilds the reports whose header must link it.

Standard library and the vocabulary only: computed for every report on every build.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from innobarometer import __version__, paths
from innobarometer.codebook import THEMES, countries, country_name, latest_editions
from innobarometer.paths import MAPPING_NAME
from innobarometer.pipeline.plan import DataSet, Report, theme_title
from innobarometer.report.navigation import citation_html, related_nav_html, site_nav_html


@dataclass(frozen=True)
class Page:
    """What a report's page carries besides its notebook's outputs."""

    header: str  # HTML: site links, CSV, neighbouring reports
    place: str  # what its H1 names, e.g. 'Denmark 2023' ('' for an edition set)
    citation: str  # HTML: how to cite it

    @property
    def digest(self) -> str:
        """One hash of the three, for the report's inputs."""
        text = "\0".join((self.header, self.place, self.citation))
        return hashlib.sha256(text.encode()).hexdigest()


def is_edition(key: str) -> bool:
    """Whether a report key is an edition id (`DK-2023`), not an edition set (`latest`)."""
    return bool(MAPPING_NAME.match(f"{key}.yaml"))


def edition_label(edition_id: str) -> str:
    """'DK-2023' -> 'Denmark 2023'."""
    country, year = edition_id.split("-")
    return f"{country_name(country)} {year}"


def theme_order(themes) -> list[str]:
    """Theme names in the codebook's order (overview first), others after in the given order."""
    names = list(dict.fromkeys(themes))
    known = [t for t in THEMES if t in names]
    return known + [t for t in names if t not in known]


def edition_order(edition_ids) -> list[str]:
    """Edition ids by country in the codebook's order, then by year."""
    rank = {c: i for i, c in enumerate(countries())}
    return sorted(edition_ids, key=lambda e: (rank.get(e[:2], len(rank)), e[:2], int(e[3:])))


def _prefix(report: Report) -> str:
    """The relative path from a report's folder to build/."""
    depth = len(Path(report.theme, report.key).parts) - 1
    return "../" * depth


def _href(report: Report, target: Report) -> str | None:
    """A link from one report's page to another's (None for the page itself)."""
    if target.name == report.name:
        return None
    return f"{_prefix(report)}{target.theme}/{target.key}.html"


def report_header(report: Report, planned: list[Report]) -> str:
    """The header of a report's page."""
    rows = []
    if is_edition(report.key):
        country = report.key[:2]
        themes = theme_order(r.theme for r in planned if r.key == report.key)
        by_theme = {r.theme: r for r in planned if r.key == report.key}
        rows.append(
            (
                edition_label(report.key),
                [(theme_title(t), _href(report, by_theme[t])) for t in themes],
            )
        )
        same = {r.key: r for r in planned if r.theme == report.theme and r.key[:2] == country}
        same = {k: r for k, r in same.items() if is_edition(k)}
        rows.append(
            (
                f"{theme_title(report.theme)} in {country_name(country)}",
                [(k[3:], _href(report, same[k])) for k in edition_order(same)],
            )
        )
    else:
        others = [r for r in planned if not is_edition(r.key)]
        rows.append(("Nordic reports", [(_set_label(r), _href(report, r)) for r in others]))
    csv_name = f"{Path(report.key).name}.csv"
    return site_nav_html(_prefix(report), csv=csv_name) + related_nav_html(rows)


def _set_label(report: Report) -> str:
    """A report of an edition set as a link text: its theme and what it compares."""
    if report.key == "latest":
        return f"{theme_title(report.theme)} (latest editions)"
    return f"{theme_title(report.theme)} {report.key}"


@functools.cache
def survey_facts() -> dict[str, dict[str, str]]:
    """The published facts of each edition (`reference/survey_facts.csv`) by edition id."""
    with open(paths.REFERENCE_DIR / "survey_facts.csv", encoding="utf-8", newline="") as handle:
        return {f"{row['country']}-{row['edition']}": row for row in csv.DictReader(handle)}


def _edition_fact(edition_id: str) -> str:
    """'Denmark 2023 (reference period 2021-2023; CO-PI with Statistics Denmark)'."""
    row = survey_facts().get(edition_id, {})
    details = [f"reference period {row['reference_period']}"] if row.get("reference_period") else []
    details += [row["organiser"]] if row.get("organiser") else []
    extra = f" ({'; '.join(details)})" if details else ""
    return f"{edition_label(edition_id)}{extra}"


def report_editions(report: Report) -> list[str]:
    """The editions a report shows: its own, or those an edition set compares."""
    if is_edition(report.key):
        return [report.key]
    return list(latest_editions(report.reads))


def report_citation(report: Report, data_set: DataSet) -> str:
    """How to cite a report: title, country, edition and the date of its data, data set,
    package version."""
    editions = report_editions(report)
    synthetic = _synthetic(editions, data_set)
    if is_edition(report.key):
        title = f"{theme_title(report.theme)}: {edition_label(report.key)}"
        country = country_name(report.key[:2])
    else:
        title = f"{theme_title(report.theme)}: {', '.join(map(edition_label, editions))}"
        country = ", ".join(dict.fromkeys(country_name(e[:2]) for e in editions))
    if synthetic:
        data = "the synthetic demo data set of innobarometer (generated, not survey results)"
    else:
        data = "national microdata mapped in data/mappings/ (" + ", ".join(editions) + ")"
    facts = [
        ("Country" if len(editions) == 1 else "Countries", country),
        ("Edition" if len(editions) == 1 else "Editions", "; ".join(map(_edition_fact, editions))),
        ("Data set", data),
        ("Made with", f"innobarometer {__version__}"),
    ]
    return citation_html(title, facts, f"{report.theme}/{report.key}.csv")


def _synthetic(editions: list[str], data_set: DataSet) -> bool:
    """Whether any of the editions is synthetic, as its facts in build/data/ say (the data set's
    kind where they do not say: not written yet, or unreadable, which fails the report anyway)."""
    for edition in editions:
        path = data_set.facts.get(edition)
        try:
            facts = json.loads(path.read_text(encoding="utf-8")) if path else {}
        except (OSError, ValueError):
            facts = {}
        if facts.get("synthetic", data_set.kind == "demo"):
            return True
    return False


def report_page(report: Report, planned: list[Report], data_set: DataSet) -> Page:
    """Everything a report's page carries from the plan."""
    place = edition_label(report.key) if is_edition(report.key) else ""
    return Page(report_header(report, planned), place, report_citation(report, data_set))
