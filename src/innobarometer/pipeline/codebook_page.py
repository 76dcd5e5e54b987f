"""`build/codebook.html`: every harmonised variable (question, type, codes, universe, theme,
assumptions, and which editions of the active data set map it) and every published indicator with
where it was published. One offline page: no scripts, one inline stylesheet, the same bytes for the
same inputs.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

from innobarometer import __version__, language, paths
from innobarometer.codebook import THEMES, Codebook, Variable, load_codebook
from innobarometer.data_set import active_set
from innobarometer.harmonise.mapping import check_mapping
from innobarometer.indicators import load_indicators, published_figures
from innobarometer.language import N_, _, rendered
from innobarometer.pipeline.index_page import STYLESHEET
from innobarometer.report.navigation import site_nav_html
from innobarometer.wording import data_notice_html

PAGE_CSS = """\
main.codebook { max-width: 84rem; }
td.codes, td.mapped { font-size: 0.9em; }
td.mapped { min-width: 9rem; }
.muted { color: var(--muted); }
nav.contents a { margin-right: 0.8em; }
"""
THEME_TITLES = {
    "overview": N_("Overview: innovation and its types, effects and evaluation"),
    "collaboration": N_("Collaboration"),
    "diffusion": N_("Diffusion: novelty, inspiration and spreading"),
    "drivers": N_("Drivers: initiators, promoters, culture"),
    "barriers": N_("Barriers: what hindered the latest innovation"),
    "background": N_("Background (registers and frame)"),
    "design": N_("Survey design"),
}
# The page's words (marked here: the catalogs' extractor does not read inside f-strings).
PUBLISHED_INDICATORS = N_("Published indicators")
CODEBOOK_HEADING = N_("Codebook: the harmonised variables and published indicators")
CODEBOOK_TITLE = N_("Innovation Barometer codebook")
DATA_NOTICE = {
    "demo": N_(
        "The editions below are the package's synthetic demo (data/demo/mappings/), not survey "
        "answers."
    ),
    "real": N_("The editions below are the national files mapped in data/mappings/."),
}


def _wording_note(variable: Variable) -> str:
    """On a page of another language, whose words a question is: the national questionnaire's
    (its source) or a translation."""
    if language.current() == language.ENGLISH:
        return ""
    if variable.wording_source:
        text = _("questionnaire wording ({source})").format(source=variable.wording_source)
    else:
        text = _("translation")
    return f'<br><span class="muted">{html.escape(text)}</span>'


def _english(markup: str) -> str:
    """Text kept in English (from the codebook's and indicators' notes), marked so on a page of
    another language."""
    if language.current() == language.ENGLISH or not markup:
        return markup
    return f'<span lang="en">{markup}</span>'


def variables_by_edition(mappings: dict[str, Path]) -> tuple[dict, dict]:
    """For each edition, the variables its mapping provides and how ('column', 'constant',
    'derived', 'set by the mapping'), None for a mapping too broken to read (see `check`); and
    the conversions it makes (`conversions_of`)."""
    provided: dict[str, dict[str, str] | None] = {}
    conversions: dict[str, dict[str, list[str]]] = {}
    codebook = load_codebook()
    for edition, path in sorted(mappings.items()):
        mapping, _problems = check_mapping(path)
        provided[edition] = None if mapping is None else mapping.provided(codebook)
        conversions[edition] = {} if mapping is None else conversions_of(mapping, codebook)
    return provided, conversions


def conversions_of(mapping, codebook: Codebook) -> dict[str, list[str]]:
    """Variable -> what the mapping converts of it, in words: the rule of a scale conversion,
    the coarser classes it recodes to, the options its questionnaire did not offer."""
    found: dict[str, list[str]] = {}
    for name, rule in mapping.rules().items():
        found.setdefault(name, []).append(f"scale converted: {rule}")
    for name, codes in mapping.not_produced(codebook).items():
        labels = ", ".join(codebook.label(name, c) for c in codes)
        found.setdefault(name, []).append(f"not measured (the conversion cannot give it): {labels}")
    for name, classes in mapping.coarsened(codebook).items():
        spans = "; ".join(f"{c} = {' + '.join(s)}" for c, s in classes.items())
        found.setdefault(name, []).append(f"coarser national classes: {spans}")
    for name, options in mapping.not_offered().items():
        found.setdefault(name, []).append(f"not offered: {', '.join(options)}")
    return found


def _codes_cell(variable: Variable, codebook: Codebook) -> str:
    """Categories (code = label), options, or the value type, one per line."""
    if variable.type == "multiple":
        lines = [f"{option} = {label}" for option, label in variable.options.items()]
        lines.append(f"(one 1/0 column {variable.name}_<option> each)")
        if variable.max_choices:
            lines.append(f"(at most {variable.max_choices} ticked)")
    else:
        lines = [f"{code} = {label}" for code, label in variable.categories.items()]
        labels = codebook.non_substantive_labels
        lines += [f"{code} = {labels[code]}" for code in variable.non_substantive]
        lines += [f"(coarser class {c} = {' + '.join(s)})" for c, s in variable.coarsenings.items()]
    if not lines:
        return f'<span class="muted">{html.escape(variable.dtype or variable.type)}</span>'
    return "<br>".join(html.escape(line) for line in lines)


def _mapped_cell(name: str, provided: dict[str, dict[str, str] | None], conversions: dict) -> str:
    """The editions that map a variable; how, where it is not an ordinary column; and each
    edition's conversion of it (a scale rule, coarser classes, options not offered)."""
    found = []
    for edition, how in provided.items():
        if how and name in how:
            kind = how[name]
            found.append(edition if kind == "column" else f"{edition} ({kind})")
    if not found:
        return '<span class="muted">not mapped</span>'
    converted = [
        f'<br><span class="conversion">{html.escape(edition)}: {html.escape(text)}</span>'
        for edition, by_variable in conversions.items()
        for text in by_variable.get(name, [])
    ]
    return html.escape(", ".join(found)) + "".join(converted)


def _notes_cell(variable: Variable, codebook: Codebook) -> str:
    """Battery, assumption and note, each labelled."""
    parts = []
    if variable.battery:
        parts.append(f"Battery: {codebook.batteries[variable.battery]}.")
    if variable.assumption:
        parts.append(f"Assumed: {variable.assumption}")
    if variable.note:
        parts.append(variable.note)
    if variable.required:
        parts.append("Required in every edition.")
    return "<br>".join(html.escape(p) for p in parts)


def _variables_section(codebook: Codebook, provided: dict, conversions: dict) -> list[str]:
    """One table per theme, in the codebook's theme order."""
    out = []
    for theme in THEMES:
        variables = [v for v in codebook.variables.values() if v.theme == theme]
        if not variables:
            continue
        title = _(THEME_TITLES[theme]) if theme in THEME_TITLES else theme
        out.append(f'<h2 id="theme-{theme}">{html.escape(title)}</h2>')
        out.append(
            "<table>\n<thead><tr>"
            + "".join(
                f"<th>{html.escape(_(h))}</th>"
                for h in (
                    N_("Variable"),
                    N_("Question"),
                    N_("Type"),
                    N_("Codes"),
                    N_("Universe"),
                    N_("Mapped in"),
                    N_("Notes and assumptions"),
                )
            )
            + "</tr></thead>\n<tbody>"
        )
        for v in variables:
            out.append(
                f'<tr id="var-{v.name}"><td><code>{v.name}</code><br>{html.escape(v.label)}</td>'
                f"<td>{html.escape(v.question)}{_wording_note(v)}</td><td>{v.type}</td>"
                f'<td class="codes">{_codes_cell(v, codebook)}</td><td>{v.universe}</td>'
                f'<td class="mapped">{_english(_mapped_cell(v.name, provided, conversions))}</td>'
                f"<td>{_english(_notes_cell(v, codebook))}</td></tr>"
            )
        out.append("</tbody>\n</table>")
    return out


def _indicators_section() -> list[str]:
    """Every published indicator: definition, universe and each published value with its source."""

    # Every figure, those not compared with any estimate too (they are listed, with the reason).
    figures = published_figures(include_not_compared=True)
    figures["edition_text"] = figures["edition"].astype(str)
    figures = figures.sort_values(["indicator", "country", "edition_text", "scope"], kind="stable")
    heads = (N_("Indicator"), N_("Definition"), N_("Universe"), N_("Where published"))
    out = [
        f'<h2 id="indicators">{html.escape(_(PUBLISHED_INDICATORS))}</h2>',
        "<p>"
        + _(
            "Every figure the national and Nordic reports published, defined once in codebook "
            "terms; the reports show their estimate beside it. Values are as published (per "
            "cent); <code>nordic-2019</code> is the Nordic comparison report."
        )
        + "</p>",
        "<table>\n<thead><tr>"
        + "".join(f"<th>{html.escape(_(h))}</th>" for h in heads)
        + "</tr></thead>\n<tbody>",
    ]
    for name, indicator in load_indicators().indicators.items():
        rows = figures[figures["indicator"] == name]
        published = []
        for row in rows.itertuples():
            text = html.escape(
                f"{row.country} {row.edition_text}: {row.value_pct:g}% ({row.base}; {row.scope})"
            )
            if not row.compared:
                text += " (not compared: see the judgement)"
            source = html.escape(row.source_key)
            if row.source_url:
                source = f'<a href="{html.escape(row.source_url)}">{source}</a>'
            published.append(f"{text} {source}")
        definition = html.escape(indicator.describe())
        for label, text in (("Judgement", indicator.judgement), ("Note", indicator.note)):
            if text:
                definition += f"<br>{label}: {html.escape(text)}"
        where = "<br>".join(published) or '<span class="muted">none</span>'
        out.append(
            f'<tr id="ind-{name}"><td><code>{name}</code><br>{html.escape(indicator.label)}</td>'
            f"<td>{_english(definition)}</td><td>{indicator.universe}</td>"
            f"<td>{_english(where)}</td></tr>"
        )
    out.append("</tbody>\n</table>")
    return out


def render_codebook_page(data: str | None = None) -> str:
    """The codebook page for the active data set (`data`: demo, real or None for automatic)."""

    active = active_set(data)
    codebook = load_codebook()
    provided, conversions = variables_by_edition(active.mappings)
    unreadable = [edition for edition, how in provided.items() if how is None]
    editions = ", ".join(active.editions) or _("none")
    kind = _("demo") if active.kind == "demo" else _("real")
    intro = (
        "<p>"
        + html.escape(
            _("Editions of the {kind} data set: {editions}.").format(kind=kind, editions=editions)
        )
        + "</p>"
    )
    if unreadable:
        intro += (
            "<p>"
            + _(
                "Mappings that could not be read, so not counted: {editions}; run "
                "<code>python -m innobarometer check</code> on them."
            ).format(editions=", ".join(unreadable))
            + "</p>"
        )
    themes = [t for t in THEMES if any(v.theme == t for v in codebook.variables.values())]
    contents = " ".join(
        f'<a href="#theme-{t}">{html.escape(_(THEME_TITLES[t]).split(":")[0])}</a>' for t in themes
    )
    css = STYLESHEET.read_text(encoding="utf-8")
    notice = rendered(
        data_notice_html(active.kind == "demo", html.escape(_(DATA_NOTICE[active.kind]), False)),
        language.current(),
    )
    body = [
        rendered(site_nav_html("", "codebook"), language.current()),
        f"<h1>{html.escape(_(CODEBOOK_HEADING))}</h1>",
        notice,
        intro,
        "<p>"
        + _(
            "Codes: binary items 1 yes, 0 no; single and ordinal items 1..k; 8 don't know, "
            "9 not relevant where allowed; a multiple-response option 1 ticked, 0 not ticked; "
            "missing means not asked or no answer. <em>Mapped in</em> lists the editions whose "
            "mapping provides the variable; elsewhere it is missing in the data."
        )
        + "</p>",
        f'<nav class="contents">{contents} <a href="#indicators">'
        f"{html.escape(_(PUBLISHED_INDICATORS))}</a></nav>",
        *_variables_section(codebook, provided, conversions),
        *_indicators_section(),
    ]
    footer = _(
        "innobarometer {version}; made from src/innobarometer/codebook.yaml, indicators.yaml and "
        "the active mappings."
    ).format(version=__version__)
    return (
        f'<!DOCTYPE html>\n<html lang="{language.current()}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(_(CODEBOOK_TITLE))}</title>\n"
        f"<style>\n{css}{PAGE_CSS}</style>\n"
        '</head>\n<body>\n<main class="codebook">\n'
        + "\n".join(body)
        + f'\n<footer class="report-parameters"><p>{html.escape(footer)}</p></footer>'
        "\n</main>\n</body>\n</html>\n"
    )


def write_codebook_page(path: str | os.PathLike, data: str | None = None) -> bool:
    """Write the codebook page to `path` (atomically) unless it already holds the same bytes;
    return whether it was written."""
    path = Path(path)
    page = render_codebook_page(data).encode("utf-8")
    if path.is_file() and path.read_bytes() == page:
        return False
    paths.write_atomically(path, page)
    return True
