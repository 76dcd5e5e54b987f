"""`build/methodology.html`: how the reports are made, rendered from the package's own docs at
build time (`docs/statistics.md` whole, the parts of `docs/architecture.md` about the data and
the tables, `docs/synthetic.md` but its API), so the page says what the code does. The build
rewrites it when a doc or the package changes (`METHODOLOGY_DOCS` are among its inputs).

The markdown is rendered with mistune (nbconvert's own renderer, installed with it).
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

from innobarometer import __version__, language, paths
from innobarometer.language import N_, _, rendered
from innobarometer.report.navigation import site_nav_html

# The page's words (marked here: the catalogs' extractor does not read inside f-strings).
METHODOLOGY_TITLE = N_("Innovation Barometer methodology")
METHODOLOGY_HEADING = N_("Methodology: how the reports estimate, compare and protect")
DOCS_DIR = paths.PACKAGE_DIR.parent.parent / "docs"
# Each doc the page shows and which of its `##` sections: None for all, or ("only", headings),
# or ("except", headings).
METHODOLOGY_DOCS = {
    "statistics.md": None,
    "architecture.md": (
        "only",
        ("The harmonised frame", "The tidy estimate table", "Questions an edition did not ask"),
    ),
    "synthetic.md": ("except", ("Use",)),
}
# The page's title for a doc shown in part, in place of the doc's own H1.
PART_TITLES = {"architecture.md": "The harmonised data and the tidy tables"}
PAGE_CSS = """\
main.methodology h2 { margin-top: 2.2em; }
main.methodology h3 { margin-top: 1.6em; }
nav.contents ol { padding-left: 1.2em; }
nav.contents ol ol { font-size: 0.95em; }
"""


class MethodologyError(Exception):
    """A doc the page is made from is missing or lacks a section it shows."""


def doc_paths() -> list[Path]:
    """The docs the page is made from."""
    return [DOCS_DIR / name for name in METHODOLOGY_DOCS]


def _slug(text: str) -> str:
    """An id from a heading's text."""
    plain = re.sub(r"<[^>]+>", "", html.unescape(text)).lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def _sections(text: str) -> tuple[str, dict[str, str]]:
    """A doc's preamble (its H1 and what follows up to the first `##`) and its `##` sections by
    heading."""
    parts = re.split(r"^(?=## )", text, flags=re.MULTILINE)
    sections = {}
    for part in parts[1:]:
        heading = part.splitlines()[0][3:].strip()
        sections[heading] = part
    return parts[0], sections


def doc_markdown(name: str) -> str:
    """The part of one doc the page shows, as markdown."""
    path = DOCS_DIR / name
    if not path.is_file():
        raise MethodologyError(f"{path} does not exist: the methodology page is made from it")
    preamble, sections = _sections(path.read_text(encoding="utf-8"))
    rule = METHODOLOGY_DOCS[name]
    if rule is None:
        return preamble + "".join(sections.values())
    how, headings = rule
    missing = [h for h in headings if h not in sections]
    if missing:
        raise MethodologyError(
            f"{path}: no section '## {missing[0]}'; the methodology page shows it (rename it in "
            "METHODOLOGY_DOCS of pipeline/methodology_page.py too)"
        )
    if how == "only":
        return f"# {PART_TITLES[name]}\n\n" + "".join(sections[h] for h in headings)
    return preamble + "".join(s for h, s in sections.items() if h not in headings)


def _renderer(doc: str, contents: list[tuple[int, str, str]]):
    """mistune's HTML renderer with headings one level down and given ids (recorded in
    `contents`), and links to other docs turned into links within the page or plain text."""
    # lazy: only a stale methodology page loads the markdown renderer
    import mistune

    shown = {name: f"doc-{Path(name).stem}" for name in METHODOLOGY_DOCS}

    class Renderer(mistune.HTMLRenderer):
        """Headings demoted and anchored; relative links resolved within the page."""

        def heading(self, text: str, level: int, **attrs) -> str:
            """`#` becomes h2 with the doc's id, `##` h3 and so on."""
            anchor = shown[doc] if level == 1 else f"{Path(doc).stem}-{_slug(text)}"
            contents.append((level, anchor, text))
            level = min(level + 1, 6)
            return f'<h{level} id="{anchor}">{text}</h{level}>\n'

        def link(self, text: str, url: str, title: str | None = None) -> str:
            """Web addresses stay links; a doc the page shows becomes its anchor; any other
            repository path is plain text (the page is read outside the repository)."""
            if re.match(r"^[a-z]+:", url):
                return super().link(text, url, title)
            target = Path(url.split("#")[0]).name
            if target in shown:
                return f'<a href="#{shown[target]}">{text}</a>'
            return text

    return mistune.create_markdown(renderer=Renderer(escape=True), plugins=["table"])


def render_methodology_page() -> str:
    """The whole page."""
    contents: list[tuple[int, str, str]] = []
    bodies = []
    for name in METHODOLOGY_DOCS:
        render = _renderer(name, contents)
        bodies.append(f'<section class="doc">\n{render(doc_markdown(name))}</section>')
    toc, depth = [], 0
    for level, anchor, text in contents:
        if level > 2:
            continue
        if level > depth:
            toc.append("<ol>")
        elif level < depth:
            toc.append("</li></ol></li>")
        else:
            toc.append("</li>")
        toc.append(f'<li><a href="#{anchor}">{text}</a>')
        depth = level
    toc.append("</li></ol>" * depth)
    sources = ", ".join(f"docs/{name}" for name in METHODOLOGY_DOCS)
    css = (paths.PACKAGE_DIR / "report" / "templates" / "report.css").read_text(encoding="utf-8")
    code = language.current()
    intro = _(
        "Every report is made by the same code: design-based estimates (weights, strata, finite "
        "population correction, Taylor linearisation), intervals, comparisons with their tests, "
        "disclosure control. This page is that code's own documentation, rendered when the "
        "reports are built ({sources} of innobarometer {version}), so it says what the code "
        "does. The statistics are checked against R's <code>survey</code> package by the tests "
        "it describes."
    ).format(sources=html.escape(sources), version=__version__)
    english = ""
    if code != language.ENGLISH:
        # The documentation is written once, in English, beside the code it describes: the
        # page says so rather than showing a translation that could fall behind the code.
        english = "<p>" + html.escape(_("The documentation below is in English.")) + "</p>\n"
    lang = "" if code == language.ENGLISH else ' lang="en"'
    footer = _("innobarometer {version}; rendered from {sources}.").format(
        version=__version__, sources=sources
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{code}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(_(METHODOLOGY_TITLE))}</title>\n"
        f"<style>\n{css}{PAGE_CSS}</style>\n"
        '</head>\n<body>\n<main class="methodology">\n'
        f"{rendered(site_nav_html('', 'methodology'), code)}\n"
        f"<h1>{html.escape(_(METHODOLOGY_HEADING))}</h1>\n"
        f"<p>{intro}</p>\n{english}"
        f'<nav class="contents" aria-label="Contents"{lang}>{"".join(toc)}</nav>\n'
        + "\n".join(
            b.replace('<section class="doc">', f'<section class="doc"{lang}>') for b in bodies
        )
        + f'\n<footer class="report-parameters"><p>{html.escape(footer)}</p></footer>\n'
        "</main>\n</body>\n</html>\n"
    )


def write_methodology_page(path: str | os.PathLike) -> None:
    """Write the methodology page to `path` (atomically) unless it holds the same bytes."""
    path = Path(path)
    page = render_methodology_page().encode("utf-8")
    if not (path.is_file() and path.read_bytes() == page):
        paths.write_atomically(path, page)
