"""The trend report's parts: the comparability breaks first, then each theme's headline
indicators across a country's editions with the change between consecutive editions.

Each part is rendered in every language of the build from numbers computed once (whole
templates of the catalogs, numbers in each language's format); the mappings' notes and the
themes' names, given in English, are translated where shown."""

from __future__ import annotations

import functools
import html

import pandas as pd

from innobarometer import language
from innobarometer.language import N_, _
from innobarometer.report.sections import show_differences, show_estimates
from innobarometer.report.sentences import _every_language, show_sentences
from innobarometer.report.sentences import _label as label_text
from innobarometer.report.tables import localised, show_html, show_table

# What a break changed (a mapping's `changed:`), as the notice says it.
CHANGED = {
    "wording": N_("question wording"),
    "scale": N_("answer scale"),
    "coverage": N_("coverage"),
}
# The breaks' table: its columns' headers, and the `changed` codes as the table shows them.
BREAK_HEADERS = {
    "edition": N_("edition"),
    "previous": N_("previous"),
    "variable": N_("variable"),
    "changed": N_("changed"),
    "note": N_("note"),
}
CHANGED_CODES = {"wording": N_("wording"), "scale": N_("scale"), "coverage": N_("coverage")}
NO_BREAKS = N_(
    "The mappings of these editions record no comparability break (no `comparability:` entry): "
    "the questions, scales and coverage are taken as comparable."
)


def _escaped(text: str) -> str:
    return html.escape(text, quote=False)


@language.in_every_language
def breaks_html(breaks: pd.DataFrame) -> str:
    """A notice listing the breaks, or saying the mappings record none."""
    if breaks.empty:
        return f'<div class="notice breaks">{_escaped(_(NO_BREAKS))}</div>'
    items = "".join(f"<li>{_break_item(row)}</li>" for row in breaks.itertuples(index=False))
    heading = _escaped(_("Comparability breaks recorded in the mappings."))
    text = _escaped(
        _("A change across one of them may come from the survey, not from the public sector:")
    )
    return f'<div class="notice breaks"><strong>{heading}</strong> {text}<ul>{items}</ul></div>'


def _break_item(row) -> str:
    """One break as markup in the current language: edition (against the previous), what changed
    of which variable, the mapping's note."""
    values = {
        "edition": f"<strong>{html.escape(row.edition)}</strong>",
        "previous": html.escape(row.previous),
        "changed": _escaped(_(CHANGED[row.changed]) if row.changed in CHANGED else row.changed),
        "variable": f"<code>{html.escape(row.variable)}</code>",
    }
    if row.previous:
        template = _("{edition} against {previous}: {changed} of {variable}")
    else:
        template = _("{edition}: {changed} of {variable}")
    text = _escaped(template).format(**values)
    if row.note:
        text = _escaped(_("{change}. {note}")).format(change=text, note=_escaped(_(row.note)))
    return text


def _breaks_shown(breaks: pd.DataFrame) -> pd.DataFrame:
    """The breaks' table as readers see it in the current language."""
    shown = breaks.assign(
        changed=[_(CHANGED_CODES[c]) if c in CHANGED_CODES else c for c in breaks["changed"]],
        note=[_(n) if n else n for n in breaks["note"]],
    )
    return shown.rename(columns={c: _(h) for c, h in BREAK_HEADERS.items()})


def show_breaks(breaks: pd.DataFrame) -> None:
    """Display `breaks_html` and record the breaks for the CSV."""
    show_html(breaks_html(breaks))
    show_table(breaks, "comparability_breaks", shown=lambda: _breaks_shown(breaks))


# What `change_sentences` says the changes are between, by default.
CONSECUTIVE_EDITIONS = N_("consecutive editions")


def change_sentences(changes: pd.DataFrame, between: str = CONSECUTIVE_EDITIONS) -> list[str]:
    """For each indicator, its significant changes (after Holm over that indicator's changes),
    or that none between `between` (English, translated where shown) is significant; each in
    every language of the build."""
    sentences = []
    if changes.empty:
        return sentences
    for _indicator, rows in changes.groupby("indicator", sort=False):
        shown = rows[~rows["suppressed"].astype(bool)]
        if shown.empty:
            continue
        label = rows["label"].iloc[0].rsplit(": ", 1)[0]
        significant = shown[shown["p_holm"] < 0.05]
        sentences.append(
            _every_language(functools.partial(_change_sentence, label, significant, between))
        )
    return sentences


def _change_sentence(label: str, significant: pd.DataFrame, between: str) -> str:
    """One indicator's changes in the current language."""
    if significant.empty:
        return _("{label}: no change between {between} is significant after Holm.").format(
            label=label_text(label), between=label_text(between)
        )
    parts = [
        _("from {second} to {first} {points} points ({lower} to {upper})").format(
            second=row.second,
            first=row.first,
            points=_points(row.estimate),
            lower=_points(row.ci_lower),
            upper=_points(row.ci_upper),
        )
        for row in significant.itertuples(index=False)
    ]
    return _("{label}: significant after Holm, {changes}.").format(
        label=label_text(label), changes="; ".join(parts)
    )


def _points(share: float) -> str:
    """A difference of shares in signed percentage points, never '-0.0', in the current
    language."""
    return language.signed(100 * share, 1)


@language.in_every_language
def trend_title(theme: str) -> str:
    """The title of a theme's editions side by side ('Overview: headline indicators by
    edition'), the theme's name translated."""
    return _("{theme}: headline indicators by edition").format(theme=localised(theme))


CHANGES_TITLE = N_("Change between consecutive editions")


def show_trend(shares: pd.DataFrame, changes: pd.DataFrame, theme: str) -> None:
    """One theme of the trend report: sentences, the editions side by side, the changes."""
    show_sentences(*change_sentences(changes))
    key = theme.lower().replace(" ", "_")
    show_estimates(shares, f"{key}_by_edition", trend_title(theme))
    show_differences(changes, f"{key}_changes", CHANGES_TITLE, figure=False)
