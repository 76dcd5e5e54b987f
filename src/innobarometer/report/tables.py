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

from innobarometer import language
from innobarometer.analysis.estimates import (
    WHOLE_DOMAIN_LABEL,
    code_label,
    group_label_of,
    group_names,
)
from innobarometer.codebook import load_codebook
from innobarometer.indicators import load_indicators
from innobarometer.report.export import TABLE_MIME
from innobarometer.report.languages import show_in_every_language

SUPPRESSED_TEXT = "suppressed"
# Why a cell is blank, by the tidy table's `suppression` column (survey.disclosure).
SUPPRESSION_NOTES = {
    "primary": "suppressed: too few responding units",
    "secondary": "suppressed: hidden to protect another cell",
}
LABEL_COLUMNS = ["group_label", "category_label"]
# Whose percentage a row is: the universe (or domain) of its base, in the reader's words.
WHOSE = {
    "all": "all units",
    "innovators": "innovators",
    "non_innovators": "non-innovators",
    "adapters_and_copiers": "innovators whose latest innovation was adapted or copied",
    "collaborators": "collaborating innovators",
}


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
    shown["Note"] = [
        suppression_note(reason) if s else (flag if isinstance(flag, str) else "")
        for s, reason, flag in zip(table["suppressed"], _reasons(table), table["flag"])
    ]
    return shown.reset_index(drop=True)


def suppression_note(reason) -> str:
    """Why a cell is blank, for its Note: too few units (primary) or protecting another cell
    (secondary); plain "suppressed" for a table that does not say."""
    return SUPPRESSION_NOTES.get(reason, SUPPRESSED_TEXT)


def _reasons(table: pd.DataFrame) -> pd.Series:
    """The `suppression` column, or "" for each row of a table without one."""
    if "suppression" in table:
        return table["suppression"].fillna("")
    return pd.Series("", index=table.index)


def base_caption(table: pd.DataFrame) -> str | None:
    """Whose percentages a tidy table shows and which base rule it follows: a single-choice or
    ordinal item's answers share one base (don't know and not relevant included, summing to 100%);
    yes/no items, options and published indicators leave don't know and not relevant out of
    theirs. None for a table that is not tidy."""
    if not {"indicator", "domain", "ci_method"} <= set(table.columns) or table.empty:
        return None
    codebook, defined = load_codebook(), load_indicators()
    whose, rules = {}, {}
    cells = table[["indicator", "domain", "category"]].astype(str).drop_duplicates()
    for indicator, domain, category in cells.itertuples(index=False):
        var = codebook.variables.get(indicator)
        published = defined[indicator] if var is None and indicator in defined else None
        universe = published.universe if published else domain
        text = WHOSE.get(universe, str(universe).replace("_", " "))
        if published and domain != "all":
            text += f" ({domain})"
        whose[text] = None
        # A distribution's rows are its codes; a battery's promoted/hindered/net are shares.
        if var is not None and var.type in ("single", "ordinal") and category.isdigit():
            rules[
                "Each item's answers, don't know and not relevant included, are shares of "
                "everyone who answered it and sum to 100%."
            ] = None
        elif var is not None and var.type in ("binary", "multiple", "ordinal"):
            rules["Don't know and not relevant are left out of the base."] = None
        elif published is not None:
            rules[
                "Published indicators keep their published definitions: "
                + (
                    "don't know and not relevant are left out of the base."
                    if published.exclude_from_base
                    else "don't know counts as no."
                )
            ] = None
    means = (table["ci_method"] == "t").all()
    kind = "Means" if means else "Percentages"
    return " ".join([f"{kind} of {' / '.join(whose)} who answered.", *rules])


def with_label_columns(table: pd.DataFrame, shown: pd.DataFrame | None = None) -> pd.DataFrame:
    """The table with `group_label` and `category_label` for the CSV: a tidy table's labels
    (the group names the reader sees in `shown`'s Group column first, then those the table
    carries, then the codebook's); empty columns for other tables (differences, models,
    published figures), whose `label` column reads already."""
    if not {"indicator", "category", "group"} <= set(table.columns):
        return table.assign(**{c: table.get(c, "") for c in LABEL_COLUMNS})
    codes = table["group"].fillna("").astype(str)
    given = table.get("group_label", pd.Series("", index=table.index)).fillna("").astype(str)
    # A label left from before the groups were reassigned (e.g. editions side by side).
    given = given.where((codes == "") == (given == WHOLE_DOMAIN_LABEL), "")
    seen = pd.Series(codes.to_numpy(), index=table.index)
    if shown is not None and "Group" in shown and len(shown) == len(table):
        seen = pd.Series(shown["Group"].astype(str).to_numpy(), index=table.index)
    known = group_names(None)
    groups = [
        WHOLE_DOMAIN_LABEL
        if code == ""
        else (name if name != code else (label or group_label_of(code, known)))
        for code, name, label in zip(codes, seen, given)
    ]
    categories = table.get("category_label", pd.Series("", index=table.index)).fillna("")
    filled = [
        label or code_label(str(i), str(c))
        for i, c, label in zip(table["indicator"], table["category"], categories.astype(str))
    ]
    return table.assign(group_label=groups, category_label=filled)


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
    table = with_label_columns(table, shown)
    caption = base_caption(table) if caption is None else caption
    display(table_bundle(table, name, shown, caption), raw=True)


def show_html(markup: str) -> None:
    """Display a piece of HTML (headings, notices, sentences) as the report shows it: a `Text`
    (`language.in_every_language`) in every language of the build, other markup as it is."""
    # lazy: IPython loads only in a notebook's kernel
    from IPython.display import HTML, display

    if not markup:
        return
    if isinstance(markup, language.Text):
        show_in_every_language(lambda: ({"text/html": markup.in_language(language.current())}, {}))
    else:
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
            "Note": np.where(hidden, DIFFERENCE_HIDDEN, ""),
        }
    )
    return shown.reset_index(drop=True)


DIFFERENCE_HIDDEN = "suppressed: a group or option compared is suppressed"


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
            # A published figure is set against a whole-domain estimate, which only the
            # threshold suppresses (secondary suppression hides groups).
            "Note": np.where(hidden, SUPPRESSION_NOTES["primary"], ""),
        }
    )
    for column in ("set_against", "estimated_from"):
        if column in comparison:
            shown.insert(0, column.replace("_", " ").capitalize(), comparison[column])
    return shown
