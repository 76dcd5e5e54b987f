"""The header every page carries (the site's pages, the report's CSV, its neighbouring reports)
and the citation every report ends with, as HTML from plain values.

Each is a `language.Text` rendered in every language the site is published in (pick one with
`.in_language(code)`): the words here through the catalogs; the values passed in (labels, link
texts, titles) as their `Text` rendering, else through the catalogs (the English where a catalog
lacks them, e.g. an edition id).

Standard library only: the build makes these for every report of the plan on every run (their
hash is one of a report's inputs) and for the index and codebook pages, without pandas.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from innobarometer import language
from innobarometer.language import N_, _
from innobarometer.wording import in_all_languages

# The pages of the site every page links to: key -> (file under build/, link text).
SITE_PAGES = {
    "index": ("index.html", N_("All reports")),
    "codebook": ("codebook.html", N_("Codebook")),
    "methodology": ("methodology.html", N_("Methodology")),
}

# A row of neighbouring reports: its label and (link text, href; None for the page itself).
Row = tuple[str, Sequence[tuple[str, str | None]]]


def _words(value: str) -> str:
    """A value passed in, in the current language: its `Text` rendering, else the catalog's."""
    if isinstance(value, language.Text):
        return value.in_language(language.current())
    return _(value)


@in_all_languages
def site_nav_html(prefix: str, current: str | None = None, csv: str | None = None) -> str:
    """The site's pages (and a report's own CSV), `prefix` leading from the page to build/;
    the page itself is marked `aria-current`."""
    links = []
    for key, (href, text) in SITE_PAGES.items():
        mark = ' aria-current="page"' if key == current else ""
        links.append(f'<a href="{html.escape(prefix + href)}"{mark}>{html.escape(_(text))}</a>')
    if csv:
        text = html.escape(_("This report’s tables (CSV)"))
        links.append(f'<a href="{html.escape(csv)}">{text}</a>')
    label = html.escape(_("Site"))
    return f'<nav class="site" aria-label="{label}">{"".join(links)}</nav>'


@in_all_languages
def related_nav_html(rows: Sequence[Row]) -> str:
    """Rows of neighbouring reports (other themes of an edition, other editions of a theme); a
    row with nothing but the page itself is left out; empty when no row is left."""
    shown = []
    for label, links in rows:
        if not any(href for _, href in links):
            continue
        items = "".join(
            f'<a href="{html.escape(href)}">{html.escape(_words(text))}</a>'
            if href
            else f'<strong aria-current="page">{html.escape(_words(text))}</strong>'
            for text, href in links
        )
        shown.append(f"<p><span>{html.escape(_words(label))}:</span> {items}</p>")
    if not shown:
        return ""
    label = html.escape(_("Related reports"))
    return f'<nav class="related" aria-label="{label}">{"".join(shown)}</nav>'


@in_all_languages
def citation_html(title: str, facts: Sequence[tuple[str, str]], csv: str) -> str:
    """How to cite a report: its title, then `facts` as 'name: value' sentences (country,
    edition, data set, date of the data, package version), then its CSV."""
    parts = [f"{html.escape(_words(title))}."]
    parts += [
        f"{html.escape(_words(name))}: {html.escape(_words(value))}." for name, value in facts
    ]
    parts.append(_("Tables: {csv}.").format(csv=html.escape(csv)))
    heading = html.escape(_("How to cite this report"))
    note = _(
        "The date is that of the data (the edition and the period its questions ask about), not "
        "of this build; when each report was built is in manifest.json."
    )
    return (
        f'<section class="citation" id="cite"><h2>{heading}</h2>'
        f"<blockquote>{' '.join(parts)}</blockquote><p>{note}</p></section>"
    )
