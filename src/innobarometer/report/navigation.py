"""The header every page carries (the site's pages, the report's CSV, its neighbouring reports)
and the citation every report ends with, as HTML from plain values.

Standard library only: the build makes these for every report of the plan on every run (their
hash is one of a report's inputs) and for the index and codebook pages, without pandas.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

# The pages of the site every page links to: key -> (file under build/, link text).
SITE_PAGES = {
    "index": ("index.html", "All reports"),
    "codebook": ("codebook.html", "Codebook"),
    "methodology": ("methodology.html", "Methodology"),
}

# A row of neighbouring reports: its label and (link text, href; None for the page itself).
Row = tuple[str, Sequence[tuple[str, str | None]]]


def site_nav_html(prefix: str, current: str | None = None, csv: str | None = None) -> str:
    """The site's pages (and a report's own CSV), `prefix` leading from the page to build/;
    the page itself is marked `aria-current`."""
    links = []
    for key, (href, text) in SITE_PAGES.items():
        mark = ' aria-current="page"' if key == current else ""
        links.append(f'<a href="{html.escape(prefix + href)}"{mark}>{text}</a>')
    if csv:
        links.append(f'<a href="{html.escape(csv)}">This report’s tables (CSV)</a>')
    return f'<nav class="site" aria-label="Site">{"".join(links)}</nav>'


def related_nav_html(rows: Sequence[Row]) -> str:
    """Rows of neighbouring reports (other themes of an edition, other editions of a theme); a
    row with nothing but the page itself is left out; empty when no row is left."""
    shown = []
    for label, links in rows:
        if not any(href for _, href in links):
            continue
        items = "".join(
            f'<a href="{html.escape(href)}">{html.escape(text)}</a>'
            if href
            else f'<strong aria-current="page">{html.escape(text)}</strong>'
            for text, href in links
        )
        shown.append(f"<p><span>{html.escape(label)}:</span> {items}</p>")
    if not shown:
        return ""
    return f'<nav class="related" aria-label="Related reports">{"".join(shown)}</nav>'


def citation_html(title: str, facts: Sequence[tuple[str, str]], csv: str) -> str:
    """How to cite a report: its title, then `facts` as 'name: value' sentences (country,
    edition, data set, date of the data, package version), then its CSV."""
    parts = [f"{html.escape(title)}."]
    parts += [f"{html.escape(name)}: {html.escape(value)}." for name, value in facts]
    parts.append(f"Tables: {html.escape(csv)}.")
    return (
        '<section class="citation" id="cite"><h2>How to cite this report</h2>'
        f"<blockquote>{' '.join(parts)}</blockquote>"
        "<p>The date is that of the data (the edition and the period its questions ask about), "
        "not of this build; when each report was built is in manifest.json.</p></section>"
    )
