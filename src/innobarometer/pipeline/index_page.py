"""`build/index.html`: every report and its CSV, by edition and theme, with its status."""

from __future__ import annotations

import html
from pathlib import Path

from innobarometer import __version__, paths
from innobarometer.codebook import LATEST
from innobarometer.pipeline.plan import DataSet, Report, theme_title
from innobarometer.wording import data_notice_html

# The one stylesheet of every page: reports (through the template), the index, the codebook.
STYLESHEET = paths.PACKAGE_DIR / "report" / "templates" / "report.css"


def render_index(
    reports: list[Report], statuses: dict[str, str], data_set: DataSet, build: Path
) -> str:
    """`build/index.html`: editions x themes, a row per edition-set report, status and links."""
    css = STYLESHEET.read_text(encoding="utf-8")
    by_name = {r.name: r for r in reports}
    grid_themes = list(
        dict.fromkeys(r.theme for r in reports if not r.edition_set and not r.per_country)
    )
    set_reports = [r for r in reports if r.edition_set or r.per_country]
    editions = list(data_set.editions)

    def cell(report: Report | None) -> str:
        """One grid cell: status and links."""
        if report is None:
            return "<td></td>"
        status = statuses[report.name]
        links = []
        if report.product(build, ".html").exists():
            links.append(f'<a href="{report.theme}/{report.key}.html">report</a>')
            links.append(f'<a href="{report.theme}/{report.key}.csv">csv</a>')
        return f'<td><span class="status-{status}">{status}</span> {" · ".join(links)}</td>'

    # Editions down the side, themes across: the grid grows downwards as editions are added.
    head = "".join(f"<th>{html.escape(theme_title(t))}</th>" for t in grid_themes)
    rows = []
    for edition in editions:
        cells = "".join(cell(by_name.get(f"{theme}/{edition}")) for theme in grid_themes)
        rows.append(f"<tr><th>{html.escape(edition)}</th>{cells}</tr>")
    spanning = f'<td colspan="{max(len(grid_themes), 1)}">'
    for report in set_reports:
        # The editions it compares (it may read more: every edition of their countries), and
        # those of its round that are not active.
        named = "" if report.key == LATEST else f" round {report.key}"
        named = f" {report.key}" if report.per_country else named
        label = f"{theme_title(report.theme)}{named} ({', '.join(report.compares)})"
        if report.lacking:
            label += f", without {', '.join(report.lacking)} (not active)"
        rows.append(
            f"<tr><th>{html.escape(label)}</th>{cell(report).replace('<td>', spanning, 1)}</tr>"
        )
    for theme in dict.fromkeys(r.theme for r in reports if r.per_country):
        # A country with a single edition has no trend: say so rather than build an empty page.
        having = {r.key for r in reports if r.per_country and r.theme == theme}
        for country in dict.fromkeys(e[:2] for e in editions):
            if country not in having:
                own = ", ".join(e for e in editions if e.startswith(f"{country}-"))
                rows.append(
                    f"<tr><th>{html.escape(f'{theme_title(theme)} {country}')}</th>{spanning}"
                    f"one edition ({html.escape(own)}): no trend to show</td></tr>"
                )
    if data_set.kind == "demo":
        notice = data_notice_html(
            True,
            "Every report below is built from the package's synthetic data set, calibrated to "
            "published headline figures. The numbers are not survey results.",
        )
    else:
        notice = data_notice_html(
            False,
            "Reports built from the national microdata mapped in data/mappings/; cells from "
            "fewer units than the disclosure threshold are suppressed.",
        )
    codebook = (
        '<p><a href="codebook.html">Codebook</a>: every variable, its question and categories.</p>'
        if (build / "codebook.html").exists()
        else ""
    )
    counts = {s: list(statuses.values()).count(s) for s in ("built", "failed", "stale")}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Innovation Barometer reports</title>\n<style>\n{css}</style>\n</head>\n<body>\n"
        '<main class="index">\n<h1>Nordic Innovation Barometer: reports</h1>\n'
        f"{notice}\n{codebook}\n<p>{summary}.</p>\n"
        f'<table class="grid">\n<thead><tr><th>Edition</th>{head}</tr></thead>\n<tbody>\n'
        + "\n".join(rows)
        + "\n</tbody>\n</table>\n"
        f'<footer class="report-parameters"><p>Built by innobarometer {__version__}; '
        'what each report was built from is in <a href="manifest.json">manifest.json</a>.'
        "</p></footer>\n</main>\n</body>\n</html>\n"
    )
