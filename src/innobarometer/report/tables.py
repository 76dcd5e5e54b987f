"""Tables as readers see them and as the CSV records them.

Every table a report shows goes through `show_table`, which emits two renderings of one display
output: HTML for readers, and the unrounded table as JSON under `TABLE_MIME`, which the export
collects into the report's CSV. A table's `section` there is the heading it stands under in the
notebook, so each section title is written once.
"""

from __future__ import annotations

import html
import json
import math

import numpy as np
import pandas as pd

from innobarometer.report.export import TABLE_MIME

SUPPRESSED_TEXT = "suppressed"


FOLDED_ROWS = 25


def percent(value: float, digits: int = 0) -> str:
    """A proportion as a percentage for prose and tables ('83%'); blank for missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{100 * value:.{digits}f}%"


def interval_text(lower: float, upper: float) -> str:
    if pd.isna(lower) or pd.isna(upper):
        return ""
    return f"{100 * lower:.0f}–{100 * upper:.0f}"


def estimate_text(row, digits: int = 0) -> str:
    """'61%, 95% CI 57–65%' for one unsuppressed tidy row (', unreliable' when flagged)."""
    text = percent(row.estimate, digits)
    if pd.notna(row.ci_lower) and pd.notna(row.ci_upper):
        text += f", 95% CI {interval_text(row.ci_lower, row.ci_upper)}%"
    if getattr(row, "flag", "") == "unreliable":
        text += ", unreliable"
    return text


def format_estimates(
    table: pd.DataFrame, label: pd.Series | None = None, group_labels: dict | None = None
) -> pd.DataFrame:
    """The tidy table as readers see it: percentages with intervals, n, and a note per row.

    `label` (aligned with `table`) replaces indicator/category codes with codebook labels and
    `group_labels` group codes with names; means (interval method t, e.g. options ticked) are
    shown as numbers, not percentages.
    """
    shown = pd.DataFrame(index=table.index)
    shown["Item"] = label if label is not None else table["indicator"]
    if (table["group"] != "").any():
        names = group_labels or {}
        shown["Group"] = [names.get(g, g) if g else "all" for g in table["group"]]
    is_mean = (table["ci_method"] == "t").to_numpy()
    shown["Estimate"] = [
        "" if s else (f"{e:.2f}" if m else percent(e, 1))
        for e, s, m in zip(table["estimate"], table["suppressed"], is_mean)
    ]
    shown[f"{_level_text(table)} interval"] = [
        "" if s else (f"{lo:.2f}–{hi:.2f}" if m else interval_text(lo, hi))
        for lo, hi, s, m in zip(table["ci_lower"], table["ci_upper"], table["suppressed"], is_mean)
    ]
    shown["n"] = table["n_unweighted"].astype(int)
    notes = np.where(table["suppressed"], SUPPRESSED_TEXT, table["flag"].fillna(""))
    shown["Note"] = notes
    return shown.reset_index(drop=True)


def _level_text(table: pd.DataFrame) -> str:
    methods = sorted(set(table["ci_method"].dropna()))
    return "95% " + "/".join(methods) if methods else "95%"


def table_html(shown: pd.DataFrame, caption: str | None = None) -> str:
    """A small, plain HTML table (no index, escaped), styled by the report stylesheet.

    A table longer than `FOLDED_ROWS` is folded into a <details> element (no script needed): the
    figure and the sentence above it carry the message, the full numbers stay one click away.
    """
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown.columns)
    rows = []
    for record in shown.itertuples(index=False):
        cells = "".join(f"<td>{html.escape(str(v))}</td>" for v in record)
        rows.append(f"<tr>{cells}</tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    table = (
        f'<table class="estimates">{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    if len(rows) > FOLDED_ROWS:
        return f"<details><summary>The numbers ({len(rows)} rows)</summary>{table}</details>"
    return table


def _json_value(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if value is pd.NA or value is None:
        return None
    return str(value) if not isinstance(value, (int, str)) else value


def table_bundle(table: pd.DataFrame, name: str, shown: pd.DataFrame, caption=None):
    """The display bundle of one table: HTML for readers, the unrounded rows for the CSV (whose
    `section` column the export fills from the heading the table stands under)."""
    payload = {
        "table": name,
        "columns": [str(c) for c in table.columns],
        "data": [[_json_value(v) for v in row] for row in table.itertuples(index=False)],
    }
    return {"text/html": table_html(shown, caption), TABLE_MIME: json.loads(json.dumps(payload))}


def show_table(
    table: pd.DataFrame,
    name: str,
    shown: pd.DataFrame | None = None,
    caption: str | None = None,
) -> None:
    """Display a table in the notebook and record it, unrounded, for the report's CSV (as table
    `name` of the section whose heading it stands under); a table with no rows is neither shown
    nor recorded."""
    # lazy: IPython loads only in a notebook's kernel
    from IPython.display import display

    if table.empty:
        return

    if shown is None:
        shown = format_estimates(table) if "estimate" in table else table
    display(table_bundle(table, name, shown, caption), raw=True)


def show_html(markup: str) -> None:
    """Display a piece of HTML (headings, notices, sentences) as the report shows it."""
    # lazy: IPython loads only in a notebook's kernel
    from IPython.display import HTML, display

    if markup:
        display(HTML(markup))


def format_differences(differences: pd.DataFrame) -> pd.DataFrame:
    """Differences as readers see them: points with intervals, p-values, suppressed marked."""
    hidden = differences["suppressed"].astype(bool)

    def signed(values):
        return ["" if h else _signed_points(v) for v, h in zip(values, hidden)]

    shown = pd.DataFrame(
        {
            "Comparison": differences["label"],
            "Difference (points)": signed(differences["estimate"]),
            "95% interval (unadjusted)": [
                "" if h else f"{_signed_points(lo)} to {_signed_points(hi)}"
                for lo, hi, h in zip(differences["ci_lower"], differences["ci_upper"], hidden)
            ],
            "p": ["" if h else _p_text(p) for p, h in zip(differences["p"], hidden)],
            "p (Holm)": ["" if h else _p_text(p) for p, h in zip(differences["p_holm"], hidden)],
            "n": [f"{a} / {b}" for a, b in zip(differences["n_first"], differences["n_second"])],
            "Note": np.where(hidden, SUPPRESSED_TEXT, ""),
        }
    )
    return shown.reset_index(drop=True)


def _signed_points(value: float) -> str:
    """Percentage points with a sign ('+4.0', '-12.3'); '0.0' when it rounds to zero, never
    '-0.0' or '+0.0'."""
    text = f"{100 * value:+.1f}"
    return "0.0" if float(text) == 0 else text


def _p_text(p: float) -> str:
    return "" if pd.isna(p) else ("<0.001" if p < 0.001 else f"{p:.3f}")


def format_model(model) -> pd.DataFrame:
    """Odds ratios as readers see them."""
    table = model.table
    return pd.DataFrame(
        {
            "Term (against its reference)": table["label"],
            "Odds ratio": [f"{v:.2f}" for v in table["odds_ratio"]],
            "95% interval": [
                f"{lo:.2f}–{hi:.2f}" for lo, hi in zip(table["ci_lower"], table["ci_upper"])
            ],
            "p": [_p_text(p) for p in table["p"]],
        }
    )


def format_published(comparison: pd.DataFrame) -> pd.DataFrame:
    """Published figures beside the estimates, as readers see them."""
    hidden = comparison["suppressed"].astype(bool)
    shown = pd.DataFrame(
        {
            "Indicator": comparison["label"],
            "Scope": comparison["scope"],
            "Published": [percent(v) for v in comparison["published"]],
            "Estimate": [
                "" if h else percent(v, 1) for v, h in zip(comparison["estimate"], hidden)
            ],
            "95% interval": [
                "" if h else interval_text(lo, hi)
                for lo, hi, h in zip(comparison["ci_lower"], comparison["ci_upper"], hidden)
            ],
            "Inside": [
                "" if h else ("yes" if inside else "no")
                for inside, h in zip(comparison["published_inside_interval"], hidden)
            ],
            "Source": comparison["source_key"],
            "Note": np.where(hidden, SUPPRESSED_TEXT, ""),
        }
    )
    for column in ("set_against", "estimated_from"):
        if column in comparison:
            shown.insert(0, column.replace("_", " ").capitalize(), comparison[column])
    return shown
