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
import html
import json
from dataclasses import dataclass
from pathlib import Path

from innobarometer import __version__, language, paths
from innobarometer.codebook import THEMES, countries, country_name, latest_editions
from innobarometer.language import ENGLISH, N_, _, rendered, speaking
from innobarometer.paths import MAPPING_NAME
from innobarometer.pipeline.plan import DataSet, Report
from innobarometer.pipeline.plan import theme_title as english_theme_title
from innobarometer.report.navigation import citation_html, related_nav_html, site_nav_html

# The package's themes as headings, for the catalogs; a researcher's new theme is named by its
# file until a catalog has it.
THEME_TITLES = {
    "overview": N_("Overview"),
    "collaboration": N_("Collaboration"),
    "diffusion": N_("Diffusion"),
    "drivers": N_("Drivers"),
    "barriers": N_("Barriers"),
    "nordic": N_("Nordic"),
    "trends": N_("Trends"),
}


@dataclass(frozen=True)
class Page:
    """What a report's page in one language carries besides its notebook's outputs."""

    header: str  # HTML: site links, CSV, neighbouring reports, the page's other languages
    place: str  # what its H1 names, e.g. 'Denmark 2023' ('' for an edition set)
    citation: str  # HTML: how to cite it
    title: str = ""  # the page's <title>
    language: str = ENGLISH

    @property
    def digest(self) -> str:
        """One hash of what the page carries, for the report's inputs."""
        text = "\0".join((self.header, self.place, self.citation, self.title, self.language))
        return hashlib.sha256(text.encode()).hexdigest()


def theme_title(theme: str) -> str:
    """A theme's name as a heading in the current language: `drivers` -> `Drivers`."""
    return _(THEME_TITLES.get(theme, english_theme_title(theme)))


def report_languages(report: Report, selected: tuple[str, ...] = language.LANGUAGES) -> tuple:
    """The languages a report is published in: English and the language of each country it
    covers (an edition's, a trend's, every country of a Nordic round), as far as `selected`
    allows; English always (its pages keep today's paths and the others mirror them)."""
    if is_edition(report.key) or report.per_country:
        covered = [report.key[:2]]
    else:
        covered = [e[:2] for e in report.compares or latest_editions(report.reads)]
    wanted = [language.COUNTRY_LANGUAGE[c] for c in covered if c in language.COUNTRY_LANGUAGE]
    codes = [c for c in language.LANGUAGES if c == ENGLISH or (c in wanted and c in selected)]
    return tuple(codes)


def language_folder(code: str) -> str:
    """Where a language's pages live under build/: English at the top, others in `<code>/`."""
    return "" if code == ENGLISH else f"{code}/"


def is_edition(key: str) -> bool:
    """Whether a report key is an edition id (`DK-2023`), not an edition set (`latest`)."""
    return bool(MAPPING_NAME.match(f"{key}.yaml"))


def edition_label(edition_id: str) -> str:
    """'DK-2023' -> 'Denmark 2023' (the country named in the current language)."""
    country, year = edition_id.split("-")
    return _("{country} {year}").format(country=country_name(country), year=year)


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


def report_header(report: Report, planned: list[Report], languages=(ENGLISH,)) -> str:
    """The header of a report's page in the current language: `planned` are the reports that
    have a page in it; `languages` those the report is published in (each linked)."""
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
                _("{theme} in {country}").format(
                    theme=theme_title(report.theme), country=country_name(country)
                ),
                [(k[3:], _href(report, same[k])) for k in edition_order(same)],
            )
        )
    else:
        others = [r for r in planned if not is_edition(r.key)]
        rows.append((_("Nordic reports"), [(_set_label(r), _href(report, r)) for r in others]))
    csv_name = f"{Path(report.key).name}.csv"
    nav = rendered(site_nav_html(_prefix(report), csv=csv_name), language.current())
    related = rendered(related_nav_html(rows), language.current())
    return nav + related + languages_nav_html(report, languages)


def languages_nav_html(report: Report, languages) -> str:
    """Links to the report's page in its other languages (none when it has one language)."""
    if len(languages) < 2:
        return ""
    here = language.current()
    up = "../" * (len(Path(report.theme, report.key).parts) - 1 + (here != ENGLISH))
    links = []
    for code in languages:
        name = html.escape(language.LANGUAGE_NAMES[code])
        if code == here:
            links.append(f'<strong aria-current="page" lang="{code}">{name}</strong>')
            continue
        href = f"{up}{language_folder(code)}{report.theme}/{report.key}.html"
        links.append(f'<a href="{html.escape(href)}" hreflang="{code}" lang="{code}">{name}</a>')
    label = html.escape(_("This report in other languages"))
    return f'<nav class="languages" aria-label="{label}">{"".join(links)}</nav>'


def _set_label(report: Report) -> str:
    """A report of an edition set as a link text: its theme and what it compares."""
    if report.key == "latest":
        return _("{theme} (latest editions)").format(theme=theme_title(report.theme))
    return _("{theme} {round}").format(theme=theme_title(report.theme), round=report.key)


@functools.cache
def survey_facts() -> dict[str, dict[str, str]]:
    """The published facts of each edition (`reference/survey_facts.csv`) by edition id."""
    with open(paths.REFERENCE_DIR / "survey_facts.csv", encoding="utf-8", newline="") as handle:
        return {f"{row['country']}-{row['edition']}": row for row in csv.DictReader(handle)}


def _edition_fact(edition_id: str) -> str:
    """'Denmark 2023 (reference period 2021-2023; CO-PI with Statistics Denmark)'."""
    row = survey_facts().get(edition_id, {})
    period = row.get("reference_period")
    details = [_("reference period {period}").format(period=period)] if period else []
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
    title = page_title(report, editions)
    if is_edition(report.key):
        country = country_name(report.key[:2])
    else:
        country = ", ".join(dict.fromkeys(country_name(e[:2]) for e in editions))
    if synthetic:
        data = _("the synthetic demo data set of innobarometer (generated, not survey results)")
    else:
        data = _("national microdata mapped in data/mappings/ ({editions})").format(
            editions=", ".join(editions)
        )
    many = len(editions) != 1
    facts = [
        (_("Countries") if many else _("Country"), country),
        (_("Editions") if many else _("Edition"), "; ".join(map(_edition_fact, editions))),
        (_("Data set"), data),
        (_("Made with"), f"innobarometer {__version__}"),
    ]
    cited = citation_html(title, facts, f"{report.theme}/{report.key}.csv")
    return rendered(cited, language.current())


def page_title(report: Report, editions: list[str]) -> str:
    """A report's title in the current language: 'Overview: Denmark 2023'."""
    return _("{theme}: {editions}").format(
        theme=theme_title(report.theme), editions=", ".join(map(edition_label, editions))
    )


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


def report_page(
    report: Report,
    planned: list[Report],
    data_set: DataSet,
    code: str = ENGLISH,
    selected: tuple[str, ...] = language.LANGUAGES,
) -> Page:
    """Everything a report's page in language `code` carries from the plan; its header links
    only the reports that have a page in that language."""
    languages = report_languages(report, selected)
    with speaking(code):
        present = [r for r in planned if code in report_languages(r, selected)]
        place = edition_label(report.key) if is_edition(report.key) else ""
        return Page(
            report_header(report, present, languages),
            place,
            report_citation(report, data_set),
            page_title(report, report_editions(report)),
            code,
        )
