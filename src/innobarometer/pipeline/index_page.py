"""`build/index.html`: every report and its CSV, in sections: the reports of each country's
editions (a grid, themes across in their order, overview first), then the Nordic reports. A
report's status shows only where it is not built.

A new kind of report gets its own section by adding a function to `SECTIONS`: it takes the
reports the earlier sections left and returns its HTML and the reports it showed.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

from innobarometer import __version__, language, paths
from innobarometer.codebook import country_name, latest_editions
from innobarometer.language import ENGLISH, N_, _, ngettext, rendered
from innobarometer.pipeline.plan import DataSet, Report
from innobarometer.pipeline.site import (
    edition_label,
    edition_order,
    is_edition,
    language_folder,
    theme_order,
    theme_title,
)
from innobarometer.report.navigation import site_nav_html
from innobarometer.wording import data_notice_html

# The one stylesheet of every page: reports (through the template), the index, the codebook.
STYLESHEET = paths.PACKAGE_DIR / "report" / "templates" / "report.css"


# The page's words (marked here: the catalogs' extractor does not read inside f-strings).
BY_COUNTRY_HEADING = N_("Reports by country and edition")
EDITION_HEADER = N_("Edition")
INDEX_TITLE = N_("Innovation Barometer reports")
INDEX_HEADING = N_("Nordic Innovation Barometer: reports")


class Links:
    """How the index shows one report: its links, and its status unless it is built."""

    def __init__(self, statuses: dict[str, str], build: Path, editions: tuple[str, ...] = ()):
        self.statuses, self.build, self.editions = statuses, build, tuple(editions)

    def __call__(self, report: Report, text: str = "") -> str:
        """'report · CSV' links (when the page exists) and the status when not 'built'; the
        links of the current language's pages (`build` is that language's folder)."""
        parts = []
        if report.product(self.build, ".html").exists():
            shown = text or _("report")
            parts.append(f'<a href="{report.theme}/{report.key}.html">{html.escape(shown)}</a>')
            parts.append(f'<a href="{report.theme}/{report.key}.csv">CSV</a>')
        elif text:  # a list item names its report even before it is built
            parts.append(html.escape(text))
        status = self.statuses[report.name]
        if status != "built":
            word = _("failed") if status == "failed" else _("stale")
            parts.append(f'<span class="status-{status}">{html.escape(word)}</span>')
        return " · ".join(parts)


Section = Callable[[list[Report], Links], tuple[str, list[Report]]]


def editions_section(reports: list[Report], links: Links) -> tuple[str, list[Report]]:
    """The reports of single editions: a row per edition under its country, a column per
    theme."""
    shown = [r for r in reports if is_edition(r.key)]
    if not shown:
        return "", []
    themes = theme_order(r.theme for r in shown)
    by_name = {r.name: r for r in shown}
    head = "".join(f'<th scope="col">{html.escape(theme_title(t))}</th>' for t in themes)
    rows, country = [], None
    for edition in edition_order({r.key for r in shown}):
        if edition[:2] != country:
            country = edition[:2]
            rows.append(
                f'<tr class="country"><th colspan="{len(themes) + 1}" scope="colgroup">'
                f"{html.escape(country_name(country))}</th></tr>"
            )
        cells = "".join(
            f"<td>{links(by_name[f'{t}/{edition}']) if f'{t}/{edition}' in by_name else ''}</td>"
            for t in themes
        )
        year = f'<span class="visually-hidden">{html.escape(country_name(country))} </span>'
        rows.append(
            f'<tr data-edition="{edition}"><th scope="row">{year}{edition[3:]}</th>{cells}</tr>'
        )
    body = (
        f"<h2>{html.escape(_(BY_COUNTRY_HEADING))}</h2>\n"
        '<div class="scroll"><table class="grid">\n'
        f'<thead><tr><th scope="col">{html.escape(_(EDITION_HEADER))}</th>{head}</tr></thead>\n'
        "<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table></div>"
    )
    return body, shown


def nordic_section(reports: list[Report], links: Links) -> tuple[str, list[Report]]:
    """The Nordic rounds (`data/rounds.yaml`): one line each, naming the editions it compares
    and those of its round that are not active."""
    shown = [r for r in reports if not is_edition(r.key) and not r.per_country]
    if not shown:
        return "", []
    items = []
    for report in shown:
        title = _("{theme}, round {round}").format(
            theme=theme_title(report.theme), round=report.key
        )
        title = theme_title(report.theme) if report.key == "latest" else title
        compared = ", ".join(
            edition_label(e) for e in report.compares or latest_editions(report.reads)
        )
        what = f" ({html.escape(compared)})" if compared else ""
        if report.lacking:
            lacking = ", ".join(edition_label(e) for e in report.lacking)
            what += html.escape(_("; without {editions} (not active)").format(editions=lacking))
        items.append(f"<li>{links(report, title)}{what}</li>")
    heading = html.escape(_("Nordic reports"))
    return f"<h2>{heading}</h2>\n<ul>\n" + "\n".join(items) + "\n</ul>", shown


def trends_section(reports: list[Report], links: Links) -> tuple[str, list[Report]]:
    """Each country's trend across its editions (those published in the index's language); a
    country with one edition is named, with no page (there is no trend to show)."""
    shown = [r for r in reports if r.per_country]
    if not shown:
        return "", []
    having = {r.key: r for r in shown}
    items = []
    for country in dict.fromkeys(e[:2] for e in edition_order(links.editions)):
        if country in having:
            report = having[country]
            compared = ", ".join(e[3:] for e in report.compares)
            text = f"{country_name(country)}"
            items.append(f"<li>{links(report, text)} ({html.escape(compared)})</li>")
        else:
            own = [e[3:] for e in links.editions if e.startswith(f"{country}-")]
            if len(own) > 1:
                continue  # its trend is published in English and its own language only
            text = _("{country}: one edition ({years}), no trend to show").format(
                country=country_name(country), years=", ".join(own)
            )
            items.append(f"<li>{html.escape(text)}</li>")
    heading = html.escape(_("Trends by country"))
    return f"<h2>{heading}</h2>\n<ul>\n" + "\n".join(items) + "\n</ul>", shown


# The index's sections, in order; each shows some of the reports the earlier ones left.
SECTIONS: list[Section] = [editions_section, nordic_section, trends_section]


def render_index(
    reports: list[Report],
    statuses: dict[str, str],
    data_set: DataSet,
    build: Path,
    code: str = ENGLISH,
    languages: tuple[str, ...] = (ENGLISH,),
) -> str:
    """The index of language `code` (`build/index.html`, `build/<code>/index.html`): the site's
    header, links to the other languages' indexes, the data notice, then each of `SECTIONS`
    with the reports that have a page in that language."""
    with language.speaking(code):
        return _render_index(reports, statuses, data_set, build, code, languages)


def _index_languages_html(code: str, languages: tuple[str, ...]) -> str:
    """Links to the index in the other languages."""
    if len(languages) < 2:
        return ""
    up = "" if code == ENGLISH else "../"
    links = [
        f'<strong aria-current="page" lang="{c}">{html.escape(language.LANGUAGE_NAMES[c])}</strong>'
        if c == code
        else f'<a href="{up}{language_folder(c)}index.html" hreflang="{c}" lang="{c}">'
        f"{html.escape(language.LANGUAGE_NAMES[c])}</a>"
        for c in languages
    ]
    label = html.escape(_("The reports in other languages"))
    return f'<nav class="languages" aria-label="{label}">{"".join(links)}</nav>'


def _render_index(reports, statuses, data_set, build, code, languages) -> str:
    """The index page in the current language."""
    css = STYLESHEET.read_text(encoding="utf-8")
    # trends count delivered editions too
    links = Links(statuses, build / language_folder(code), data_set.available)
    left, parts = list(reports), []
    for section in SECTIONS:
        body, shown = section(left, links)
        if body:
            parts.append(body)
        left = [r for r in left if r not in shown]
    if data_set.kind == "demo":
        notice = data_notice_html(
            True,
            html.escape(
                _(
                    "Every report below is built from the package's synthetic data set, "
                    "calibrated to published headline figures. The numbers are not survey "
                    "results."
                ),
                quote=False,
            ),
        )
    else:
        notice = data_notice_html(
            False,
            html.escape(
                _(
                    "Reports built from the national microdata mapped in data/mappings/; cells "
                    "from fewer units than the disclosure threshold are suppressed."
                ),
                quote=False,
            ),
        )
    notice = rendered(notice, code)
    shown_statuses = [statuses[r.name] for r in reports]
    problems = ", ".join(
        ngettext("{n} failed", "{n} failed", n).format(n=n)
        if s == "failed"
        else ngettext("{n} stale", "{n} stale", n).format(n=n)
        for s, n in ((s, shown_statuses.count(s)) for s in ("failed", "stale"))
        if n
    )
    total = len(shown_statuses)
    summary = (
        "<p>"
        + html.escape(
            ngettext("Of {total} report, {problems}.", "Of {total} reports, {problems}.", total)
        ).format(total=total, problems=html.escape(problems))
        + "</p>\n"
        if problems
        else ""
    )
    intro = _(
        "Each report answers one theme's questions for one edition of a country's barometer; "
        'its CSV holds every table it shows. The <a href="codebook.html">codebook</a> defines '
        'every variable; the <a href="methodology.html">methodology</a> says how the estimates '
        'are made; <a href="{datapackage}">datapackage.json</a> describes every CSV.'
    ).format(datapackage=("" if code == ENGLISH else "../") + "datapackage.json")
    footer = _(
        "Built by innobarometer {version}; what each report was built from is in "
        '<a href="{manifest}">manifest.json</a>.'
    ).format(version=__version__, manifest=("" if code == ENGLISH else "../") + "manifest.json")
    return (
        f'<!DOCTYPE html>\n<html lang="{code}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(_(INDEX_TITLE))}</title>\n"
        f"<style>\n{css}</style>\n</head>\n<body>\n"
        f'<main class="index">\n{rendered(site_nav_html("", "index"), code)}\n'
        f"{_index_languages_html(code, languages)}\n"
        f"<h1>{html.escape(_(INDEX_HEADING))}</h1>\n"
        f"{notice}\n<p>{intro}</p>\n"
        f"{summary}" + "\n".join(parts) + "\n"
        f'<footer class="report-parameters"><p>{footer}</p></footer>\n</main>\n</body>\n'
        "</html>\n"
    )
