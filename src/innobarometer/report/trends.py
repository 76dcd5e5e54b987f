"""The trend report's parts: the comparability breaks first, then each theme's headline
indicators across a country's editions with the change between consecutive editions."""

from __future__ import annotations

import html

import pandas as pd

from innobarometer.report.sections import show_differences, show_estimates
from innobarometer.report.sentences import show_sentences
from innobarometer.report.tables import show_html, show_table

CHANGED = {"wording": "question wording", "scale": "answer scale", "coverage": "coverage"}


def breaks_html(breaks: pd.DataFrame) -> str:
    """A notice listing the breaks, or saying the mappings record none."""
    if breaks.empty:
        return (
            '<div class="notice breaks">The mappings of these editions record no comparability '
            "break (no `comparability:` entry): the questions, scales and coverage are taken "
            "as comparable.</div>"
        )
    items = "".join(
        f"<li><strong>{html.escape(row.edition)}</strong>"
        + (f" against {html.escape(row.previous)}" if row.previous else "")
        + f": {html.escape(CHANGED.get(row.changed, row.changed))} of "
        f"<code>{html.escape(row.variable)}</code>"
        + (f". {html.escape(row.note)}" if row.note else "")
        + "</li>"
        for row in breaks.itertuples(index=False)
    )
    return (
        '<div class="notice breaks"><strong>Comparability breaks recorded in the mappings.'
        "</strong> A change across one of them may come from the survey, not from the public "
        f"sector:<ul>{items}</ul></div>"
    )


def show_breaks(breaks: pd.DataFrame) -> None:
    """Display `breaks_html` and record the breaks for the CSV."""
    show_html(breaks_html(breaks))
    show_table(breaks, "comparability_breaks")


def change_sentences(changes: pd.DataFrame, between: str = "consecutive editions") -> list[str]:
    """For each indicator, its significant changes (after Holm over that indicator's changes),
    or that none between `between` is significant."""
    sentences = []
    if changes.empty:
        return sentences
    for _, rows in changes.groupby("indicator", sort=False):
        shown = rows[~rows["suppressed"].astype(bool)]
        label = rows["label"].iloc[0].rsplit(": ", 1)[0]
        significant = shown[shown["p_holm"] < 0.05]
        if shown.empty:
            continue
        if significant.empty:
            sentences.append(f"{label}: no change between {between} is significant after Holm.")
            continue
        parts = [
            f"from {row.second} to {row.first} {_points(row.estimate)} points "
            f"({_points(row.ci_lower)} to {_points(row.ci_upper)})"
            for row in significant.itertuples(index=False)
        ]
        sentences.append(f"{label}: significant after Holm, {'; '.join(parts)}.")
    return sentences


def _points(share: float) -> str:
    """A difference of shares in signed percentage points, never '-0.0'."""
    text = f"{100 * share:+.1f}"
    return "0.0" if text in ("+0.0", "-0.0") else text


def show_trend(shares: pd.DataFrame, changes: pd.DataFrame, theme: str) -> None:
    """One theme of the trend report: sentences, the editions side by side, the changes."""
    show_sentences(*change_sentences(changes))
    key = theme.lower().replace(" ", "_")
    show_estimates(shares, f"{key}_by_edition", f"{theme}: headline indicators by edition")
    show_differences(changes, f"{key}_changes", "Change between consecutive editions", figure=False)
