"""Generated findings: sentences read from the same tidy tables as the figures and tables, so a
suppressed cell is never named and a comparison says only what its test supports."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from innobarometer.codebook import load_codebook
from innobarometer.report.figures import COUNTRY_NAMES
from innobarometer.report.tables import estimate_text, interval_text, percent, show_html


def show_sentences(*sentences: str) -> None:
    """Generated findings as one paragraph."""
    text = " ".join(s for s in sentences if s)
    if not text:
        return
    show_html(f'<p class="finding">{html.escape(text)}</p>')


def _visible(rows: pd.DataFrame) -> pd.DataFrame:
    return rows[~rows["suppressed"].astype(bool) & rows["estimate"].notna()]


def _non_substantive_categories() -> list[str]:
    """The codebook's don't know / not relevant codes, as the tables' category strings."""
    return [str(code) for code in load_codebook().non_substantive_labels]


def _whole_domain_shares(table: pd.DataFrame) -> pd.DataFrame:
    """The whole-domain share rows: no group rows, no means (options ticked), and no don't know
    or not relevant rows (their base includes them, unlike the substantive categories')."""
    return table[
        (table["group"] == "")
        & (table["ci_method"] != "t")
        & ~table["category"].isin(_non_substantive_categories())
    ]


def share_sentence(table: pd.DataFrame, statement: str, unit: str = "workplaces") -> str:
    """'83% of workplaces introduced an innovation (95% CI 81–85%).' from the first whole-domain
    share row; a suppressed share is never named; nothing for a table with no rows."""
    if table.empty:
        return ""
    row = _whole_domain_shares(table).iloc[0]
    if row.suppressed or pd.isna(row.estimate):
        return (
            f"The share of {unit} that {statement} is not shown: too few units answered "
            "(disclosure rule)."
        )
    interval = f" (95% CI {interval_text(row.ci_lower, row.ci_upper)}%)"
    flag = " The estimate is unreliable." if row.flag == "unreliable" else ""
    return f"{percent(row.estimate)} of {unit} {statement}{interval}.{flag}"


def ranking_sentence(table: pd.DataFrame, labels: pd.Series, noun: str) -> str:
    """'The most common initiator is “Employees” (61%, 95% CI 57–65%), ahead of “Own manager”
    (39%); the least common is ...' over the whole-domain shares; suppressed items unnamed;
    nothing for a table with no rows."""
    if table.empty:
        return ""
    rows = _whole_domain_shares(table.assign(label=labels))
    shown = _visible(rows).sort_values("estimate", ascending=False, kind="stable")
    hidden = " Items with too few answers are not shown." if len(shown) < len(rows) else ""
    if shown.empty:
        return f"No {noun} can be shown: every item has too few answers."
    first = shown.iloc[0]
    if len(shown) > 1 and percent(first.estimate) == percent(shown.iloc[-1].estimate):
        return f"Every {noun} shown is as common as the others ({percent(first.estimate)}).{hidden}"
    text = f"The most common {noun} is “{first.label}” ({estimate_text(first)})"
    if len(shown) > 1:
        second = shown.iloc[1]
        level = "level with" if percent(second.estimate) == percent(first.estimate) else "ahead of"
        text += f", {level} “{second.label}” ({percent(second.estimate)})"
    if len(shown) > 2:
        last = shown.iloc[-1]
        text += f"; the least common is “{last.label}” ({percent(last.estimate)})"
    return text + "." + hidden


def group_sentence(table: pd.DataFrame, group_labels: dict, by_text: str) -> str:
    """'By government level, the share is highest for “Municipal” (85%, ...) and lowest for
    “State” (80%, ...).' over the first indicator's groups; suppressed groups unnamed; nothing
    for a table with no rows."""
    if table.empty:
        return ""
    first = table.iloc[0]
    rows = table[
        (table["indicator"] == first.indicator)
        & (table["category"] == first.category)
        & (table["group"] != "")
    ]
    shown = _visible(rows).sort_values("estimate", ascending=False, kind="stable")
    hidden = " Groups with too few answers are not shown." if len(shown) < len(rows) else ""
    if len(rows) < 2:
        return f"{by_text}, the data hold a single group, so there is nothing to compare."
    if len(shown) < 2:
        return f"{by_text}, fewer than two groups can be shown, so none is compared.{hidden}"
    top, bottom = shown.iloc[0], shown.iloc[-1]
    if percent(top.estimate) == percent(bottom.estimate):
        return (
            f"{by_text}, the share is the same to the whole per cent in every group shown "
            f"({percent(top.estimate)}).{hidden}"
        )
    return (
        f"{by_text}, the share is highest for “{group_labels.get(top.group, top.group)}” "
        f"({estimate_text(top)}) and lowest for "
        f"“{group_labels.get(bottom.group, bottom.group)}” ({estimate_text(bottom)}).{hidden}"
    )


def trend_sentence(shares: pd.DataFrame, changes: pd.DataFrame, unit: str = "workplaces") -> str:
    """The first and latest edition's shares and the latest change in words; one edition: says
    there is no trend; suppressed editions unnamed; nothing when no edition asked it."""
    if shares.empty:
        return ""
    shown = _visible(shares)
    if len(shares) < 2:
        return "This country has a single edition in the data set, so there is no trend to show."
    if len(shown) < 2:
        return "Fewer than two editions can be shown, so no trend is described."
    first, last = shown.iloc[0], shown.iloc[-1]
    text = (
        f"The share of innovative {unit} was {percent(first.estimate)} in {first.group} and "
        f"{percent(last.estimate)} in {last.group}."
    )
    latest = changes.iloc[-1]
    if not latest.suppressed:
        text += " " + difference_sentence(
            latest, f"in {latest['first']}", f"in {latest['second']}", "the share"
        )
    return text


def top_by_group_sentence(
    table: pd.DataFrame, labels: pd.Series, group_labels: dict, noun: str
) -> str:
    """'The most common partner is “A” in every group' or, group by group, 'the most common
    partner is “A” for “State” (52%) ...'; suppressed cells are never named; nothing for a table
    with no rows."""
    if table.empty:
        return ""
    rows = table.assign(label=labels)
    rows = rows[
        (rows["group"] != "")
        & (rows["ci_method"] != "t")
        & ~rows["category"].isin(_non_substantive_categories())
    ]
    shown = _visible(rows)
    if shown.empty:
        return f"No {noun} can be shown by group: too few answers."
    ranked = shown.sort_values("estimate", ascending=False, kind="stable")
    top = ranked.groupby("group", sort=False).head(1).set_index("group")
    top = top.reindex([g for g in dict.fromkeys(rows["group"]) if g in top.index])
    hidden = " Cells with too few answers are not shown." if len(shown) < len(rows) else ""
    if top["label"].nunique() == 1:
        return f"The most common {noun} is “{top['label'].iloc[0]}” in every group shown.{hidden}"
    parts = [
        f"“{row.label}” for “{group_labels.get(group, group)}” ({percent(row.estimate)})"
        for group, row in top.iterrows()
    ]
    return f"The most common {noun} is " + "; ".join(parts) + "." + hidden


def points(value: float) -> str:
    """A difference of proportions in percentage points ('12.3')."""
    return f"{100 * abs(value):.1f}"


def signed_points(value: float) -> str:
    """A signed difference in percentage points with a true minus sign ('−12.3', '4.0')."""
    return f"{100 * value:.1f}".replace("-", "−")


def difference_sentence(row, higher_text: str, lower_text: str, subject: str) -> str:
    """One difference (a row of an `analysis` differences table, or the table's first row) in
    words, saying whether its interval excludes zero; a difference involving a suppressed cell
    is not shown; nothing for a table with no rows."""
    if isinstance(row, pd.DataFrame):
        if row.empty:
            return ""
        row = row.iloc[0]
    if row.suppressed or pd.isna(row.estimate):
        return f"The difference in {subject} cannot be shown: a group has too few answers."
    direction = "higher" if row.estimate > 0 else "lower"
    excludes = row.ci_lower > 0 or row.ci_upper < 0
    verdict = (
        "the interval excludes zero, so the difference is unlikely to be chance alone"
        if excludes
        else "the interval includes zero, so the data do not show a clear difference"
    )
    return (
        f"{subject[0].upper()}{subject[1:]} is {points(row.estimate)} percentage points "
        f"{direction} {higher_text} than {lower_text} (95% CI {signed_points(row.ci_lower)} to "
        f"{signed_points(row.ci_upper)} points); {verdict}."
    )


def differences_sentence(differences: pd.DataFrame, what: str) -> str:
    """How many of a set of differences have intervals (Holm-adjusted p-values) excluding zero;
    nothing for a set with no rows."""
    if differences.empty:
        return ""
    shown = differences[~differences["suppressed"].astype(bool)]
    if shown.empty:
        return f"No difference between {what} can be shown: too few answers."
    significant = shown[shown["p_holm"] < 0.05] if "p_holm" in shown else shown.iloc[0:0]
    if len(shown) == 1 and significant.empty:
        return f"The one difference between {what} tested is not significant at the 5% level."
    if len(significant):
        row = significant.iloc[int(np.argmax(significant["estimate"].abs().to_numpy()))]
        described = (
            f"{row.label} ({'+' if row.estimate > 0 else '−'}{points(row.estimate)} points, "
            f"95% CI {signed_points(row.ci_lower)} to {signed_points(row.ci_upper)})"
        )
    if len(shown) == 1:
        return (
            f"The one difference between {what} tested, {described}, is significant at the 5% "
            "level."
        )
    text = (
        f"Of {len(shown)} differences between {what} tested, {len(significant)} "
        f"{'is' if len(significant) == 1 else 'are'} significant at the 5% level after "
        "Holm's adjustment for multiple tests"
    )
    if len(significant):
        text += f"; the largest is {described}"
    return text + "."


def test_sentence(p_value: float, what: str, test: str = "Rao-Scott test") -> str:
    """'A Rao-Scott test finds the shares differ between groups (p = 0.003).' or not."""
    if p_value is None or pd.isna(p_value):
        return f"The {test} of {what} cannot be computed on these data."
    shown = "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"
    verdict = "differs" if p_value < 0.05 else "does not differ significantly"
    return f"By the {test}, {what} {verdict} ({shown})."


def odds_ratio_sentence(model, term_label: str, outcome_text: str, adjusted_for: str) -> str:
    """'Made in collaboration goes with 1.8 times the odds of increased quality (95% CI 1.3–2.4
    ...), adjusted for ...'; nothing when there is no model (`show_model` says why)."""
    if model.message or model.not_asked:
        return ""
    rows = model.table[model.table["label"] == term_label]
    if rows.empty:
        return f"The model has no term for {term_label}."
    row = rows.iloc[0]
    verdict = (
        "the interval excludes one"
        if row.ci_lower > 1 or row.ci_upper < 1
        else "the interval includes one, so no clear association"
    )
    return (
        f"{term_label} goes with {row.odds_ratio:.2f} times the odds of {outcome_text} "
        f"(95% CI {row.ci_lower:.2f}–{row.ci_upper:.2f}; {verdict}), adjusted for {adjusted_for}."
    )


def model_sentence(model, outcome_text: str) -> str:
    """The term most strongly associated with the outcome among those whose interval excludes
    one, or that none does; nothing when there is no model (`show_model` says why)."""
    if model.message or model.not_asked:
        return ""
    table = model.table
    clear = table[(table["ci_lower"] > 1) | (table["ci_upper"] < 1)]
    if clear.empty:
        return (
            f"No characteristic in the model is clearly associated with {outcome_text}: every "
            "odds ratio's interval includes one."
        )
    row = clear.loc[np.log(clear["odds_ratio"]).abs().idxmax()]
    return (
        f"Of {len(table)} terms, {len(clear)} have intervals excluding one; the strongest is "
        f"{row.label}, with {row.odds_ratio:.2f} times the odds of {outcome_text} (95% CI "
        f"{row.ci_lower:.2f}–{row.ci_upper:.2f}) against its reference group."
    )


NO_PUBLISHED_FIGURE = (
    "No published figure of this theme can be set against an estimate of this edition."
)


def published_sentence(
    comparison: pd.DataFrame, synthetic: bool, none_text: str = NO_PUBLISHED_FIGURE
) -> str:
    """How the package's estimates sit against the published figures (`none_text` when no
    figure can be set against them)."""
    if comparison.empty:
        return none_text
    shown = comparison[~comparison["suppressed"].astype(bool)]
    inside = int(shown["published_inside_interval"].astype(bool).sum())
    text = (
        f"{inside} of {len(comparison)} published figures lie inside the 95% interval of the "
        "package's estimate"
    )
    if len(shown) < len(comparison):
        text += f" ({len(comparison) - len(shown)} estimates suppressed)"
    if synthetic:
        targets = comparison["calibration_target"].astype(bool)
        if targets.all():
            text += (
                "; the synthetic data are calibrated to these figures, so agreement is by design"
            )
        elif targets.any():
            text += (
                f"; the synthetic data are calibrated to the {int(targets.sum())} national "
                f"figures, so agreement there is by design; the other {int((~targets).sum())} "
                "(the Nordic comparison report's) are comparisons only"
            )
        else:
            text += "; these figures are comparisons only, not calibration targets"
    return text + "."


def country_sentences(shares: pd.DataFrame, labels: pd.Series) -> list[str]:
    """For each indicator, the country with the highest and the lowest share (suppressed
    countries unnamed)."""
    return [
        group_sentence(shares[shares["indicator"] == indicator], COUNTRY_NAMES, f"For “{label}”")
        for indicator, label in dict(zip(shares["indicator"], labels)).items()
    ]
