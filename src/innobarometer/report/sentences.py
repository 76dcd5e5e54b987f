"""Generated findings: sentences read from the same tidy tables as the figures and tables, so a
suppressed cell is never named and a comparison says only what its test supports.

A sentence that ranks (highest, lowest, most common, least common, ahead of, higher for) is a
`Finding` carrying its `Claim`s: each names the Holm family of pairs behind it (a table of
`analysis.group_pairs`, `item_pairs`, `item_pairs_by_group` or `country_differences`), and is made
only when every difference it asserts is significant at 5% after Holm within that family and its
subject is neither suppressed nor unreliable; otherwise the sentence says the groups do not
differ clearly. `show_sentences` writes the claims beside the words (`data-claims`), so a test
can check each against the report's CSV, and collects the tested sentences for the key findings
(`show_key_findings`).
"""

from __future__ import annotations

import html
import json
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from innobarometer.analysis.differences import SIGNIFICANCE, item_keys
from innobarometer.codebook import load_codebook
from innobarometer.indicators import load_indicators
from innobarometer.report.figures import COUNTRY_NAMES
from innobarometer.report.tables import estimate_text, interval_text, percent, show_html

# What a claim asserts of its subject against the others it names.
CLAIM_KINDS = ("highest", "lowest", "most common", "least common", "higher")


@dataclass(frozen=True)
class Claim:
    """One tested assertion: `subject` (a key in the pairs' `first`/`second`) is `kind` against
    each of `others`, every pair significant after Holm within `family` (the pairs' `family`)."""

    kind: str
    subject: str
    others: tuple[str, ...]
    family: str


class Finding(str):
    """A generated sentence and the claims it makes (none for a sentence that ranks nothing);
    `tested`: the sentence states the outcome of a test (a claim, or that groups do not differ
    clearly), so it may stand among the key findings."""

    claims: tuple[Claim, ...] = ()
    tested: bool = False

    def __new__(cls, text: str, claims=(), tested: bool = True):
        finding = super().__new__(cls, text)
        finding.claims = tuple(claims)
        finding.tested = tested
        return finding


# The tested sentences a report has shown, in order; `show_key_findings` shows some at the top.
_SHOWN: list[Finding] = []
KEY_FINDINGS = (3, 5)


def forget_findings() -> None:
    """Start a report's collection of tested sentences afresh (a kernel may run several)."""
    _SHOWN.clear()


def sentence_html(sentence: str) -> str:
    """One sentence as the page shows it: a ranking claim in a span carrying its claims."""
    text = html.escape(sentence)
    claims = getattr(sentence, "claims", ())
    if not claims:
        return text
    data = html.escape(json.dumps([asdict(c) for c in claims], ensure_ascii=False), quote=True)
    return f'<span class="claim" data-claims="{data}">{text}</span>'


def show_sentences(*sentences: str) -> None:
    """Generated findings as one paragraph; tested ones are remembered for the key findings."""
    shown = [s for s in sentences if s]
    if not shown:
        return
    _SHOWN.extend(s for s in shown if getattr(s, "tested", False))
    show_html(f'<p class="finding">{" ".join(sentence_html(s) for s in shown)}</p>')


def key_findings(sentences: list[str], most: int = KEY_FINDINGS[1]) -> list[str]:
    """Up to `most` of a report's tested sentences, each once: those making claims first, then
    those saying groups do not differ clearly, each kind in the order the report shows them."""
    tested = list(dict.fromkeys(s for s in sentences if getattr(s, "tested", False)))
    claims = [s for s in tested if s.claims]
    return (claims + [s for s in tested if not s.claims])[:most]


def key_findings_html(sentences: list[str]) -> str:
    """The key findings block: a list of sentences exactly as the sections below show them."""
    if not sentences:
        return ""
    items = "".join(f"<li>{sentence_html(s)}</li>" for s in sentences)
    return (
        '<section class="key-findings"><h2 id="key-findings">Key findings</h2>'
        f"<ul>{items}</ul><p>Each is a sentence from the sections below, where its test is shown "
        "(significance at 5% after Holm's adjustment within the family of comparisons it names)."
        "</p></section>"
    )


def show_key_findings() -> None:
    """Three to five of the tested sentences the report has shown (fewer when it has fewer);
    the export moves this block to the top of the page, after the front matter."""
    chosen = key_findings(_SHOWN)
    forget_findings()
    show_html(key_findings_html(chosen) if len(chosen) >= KEY_FINDINGS[0] else "")


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


def _beats(pairs: pd.DataFrame, a: str, b: str) -> bool:
    """Whether the pairs hold a tested difference of a over b, significant after Holm."""
    for first, second, sign in ((a, b, 1.0), (b, a, -1.0)):
        rows = pairs[(pairs["first"] == first) & (pairs["second"] == second)]
        rows = rows[~rows["suppressed"].astype(bool)]
        if len(rows) == 1:
            row = rows.iloc[0]
            return bool(row.p_holm < SIGNIFICANCE and sign * row.estimate > 0)
    return False


@dataclass(frozen=True)
class _Ranking:
    """The tested extremes of a set of shown cells (ranked, largest first) and their family."""

    top: bool
    bottom: bool
    significant: int
    family: str


def _ranking(shown: pd.DataFrame, keys: list[str], pairs: pd.DataFrame) -> _Ranking:
    """Whether the first of `shown` (ranked, keys aligned) is above every other and the last
    below every other, each after Holm within the pairs' family; an unreliable cell is never
    the one named."""
    flags = shown["flag"].fillna("").tolist()
    tested = pairs[~pairs["suppressed"].astype(bool)]
    family = str(pairs["family"].iloc[0]) if len(pairs) else "no pairs"
    top = flags[0] != "unreliable" and all(_beats(pairs, keys[0], k) for k in keys[1:])
    bottom = flags[-1] != "unreliable" and all(_beats(pairs, k, keys[-1]) for k in keys[:-1])
    significant = int((tested["p_holm"] < SIGNIFICANCE).sum())
    return _Ranking(top, bottom and len(keys) > 2, significant, family)


def _range_text(shown: pd.DataFrame, what: str = "the shares") -> str:
    """'the shares range from 75% to 93%', or 'are all 72%' / 'is 20%' when they round alike."""
    low, high = percent(shown["estimate"].min()), percent(shown["estimate"].max())
    if low != high:
        return f"{what} range from {low} to {high}"
    return f"{what} {'is' if len(shown) == 1 else 'are all'} {low}"


def _holm_text(ranking: _Ranking) -> str:
    return f"at the 5% level after Holm's adjustment over {ranking.family}"


def _unclear_text(ranking: _Ranking, noun: str = "group") -> str:
    """The outcome of the family's tests when no `noun` stands out."""
    if ranking.significant == 0:
        return f"none of {ranking.family} differs at the 5% level after Holm's adjustment"
    verb = "differs" if ranking.significant == 1 else "differ"
    return (
        f"{ranking.significant} of {ranking.family} {verb} at the 5% level after Holm's "
        f"adjustment, but no {noun} is above or below all the others"
    )


def ranking_sentence(table: pd.DataFrame, labels: pd.Series, noun: str, pairs: pd.DataFrame) -> str:
    """'The most common initiator is Employees (61%, 95% CI 57–65%), ahead of every other
    initiator, the nearest being Own manager (39%), at the 5% level after Holm's adjustment over
    the 45 pairs of initiators' over the whole-domain shares, only as far as `pairs`
    (`analysis.item_pairs` of the table) support it; else that no item is clearly more common.
    Suppressed items unnamed; nothing for a table with no rows."""
    if table.empty:
        return ""
    rows = _whole_domain_shares(table.assign(label=labels))
    shown = _visible(rows).sort_values("estimate", ascending=False, kind="stable")
    hidden = " Items with too few answers are not shown." if len(shown) < len(rows) else ""
    if shown.empty:
        return f"No {noun} can be shown: every item has too few answers."
    first = shown.iloc[0]
    if len(shown) == 1:
        return f"Only one {noun} can be shown: {first.label} ({estimate_text(first)}).{hidden}"
    keys = item_keys(shown)
    ranking = _ranking(shown, keys, pairs)
    last = shown.iloc[-1]
    claims = []
    if ranking.top:
        second = shown.iloc[1]
        claims.append(Claim("most common", keys[0], tuple(keys[1:]), ranking.family))
        text = f"The most common {noun} is {first.label} ({estimate_text(first)}), ahead of "
        text += (
            f"every other {noun}, the nearest being {second.label} ({percent(second.estimate)})"
            if len(shown) > 2
            else f"{second.label} ({percent(second.estimate)})"
        )
        if ranking.bottom:
            claims.append(Claim("least common", keys[-1], tuple(keys[:-1]), ranking.family))
            text += f"; the least common is {last.label} ({percent(last.estimate)})"
        text += f"; each {_holm_text(ranking)}" if ranking.bottom else f", {_holm_text(ranking)}"
    elif ranking.bottom:
        claims.append(Claim("least common", keys[-1], tuple(keys[:-1]), ranking.family))
        text = (
            f"The least common {noun} is {last.label} ({estimate_text(last)}), behind every "
            f"other {noun} {_holm_text(ranking)}; {_range_text(shown.iloc[:-1], 'the others')}, "
            "and none of them is clearly above all the rest"
        )
    else:
        text = (
            f"No {noun} is clearly more common than the others: {_range_text(shown)}, and "
            f"{_unclear_text(ranking, noun)}"
        )
    return Finding(text + "." + hidden, claims)


def group_sentence(
    table: pd.DataFrame, group_labels: dict, by_text: str, pairs: pd.DataFrame
) -> str:
    """'By government level, the share is highest for Municipal (85%, ...), above every other
    group at the 5% level after Holm's adjustment over the 3 pairs of government levels' over
    the first indicator's groups, only as far as `pairs` (`analysis.group_pairs` of the table,
    or the indicator's country pairs) support it; else that the groups do not differ clearly,
    and their range. Suppressed groups unnamed; nothing for a table with no rows."""
    if table.empty:
        return ""
    first = table.iloc[0]
    rows = table[
        (table["indicator"] == first.indicator)
        & (table["category"] == first.category)
        & (table["group"] != "")
    ]
    shown = _visible(rows).sort_values("estimate", ascending=False, kind="stable")
    hidden = " Groups with too few answers are not shown." if len(rows) > len(shown) else ""
    if len(rows) < 2:
        return f"{by_text}, the data hold a single group, so there is nothing to compare."
    if len(shown) < 2:
        return f"{by_text}, fewer than two groups can be shown, so none is compared.{hidden}"
    keys = shown["group"].astype(str).tolist()
    names = [group_labels.get(k, k) for k in keys]
    ranking = _ranking(shown, keys, pairs)
    top, bottom = shown.iloc[0], shown.iloc[-1]
    claims = []
    if ranking.top and len(shown) == 2:
        claims.append(Claim("higher", keys[0], (keys[1],), ranking.family))
        text = (
            f"{by_text}, the share is higher for {names[0]} ({estimate_text(top)}) than for "
            f"{names[1]} ({estimate_text(bottom)}), {_holm_text(ranking)}"
        )
    elif ranking.top and ranking.bottom:
        claims.append(Claim("highest", keys[0], tuple(keys[1:]), ranking.family))
        claims.append(Claim("lowest", keys[-1], tuple(keys[:-1]), ranking.family))
        text = (
            f"{by_text}, the share is highest for {names[0]} ({estimate_text(top)}) and lowest "
            f"for {names[-1]} ({estimate_text(bottom)}); each differs from every other group "
            f"{_holm_text(ranking)}"
        )
    elif ranking.top:
        claims.append(Claim("highest", keys[0], tuple(keys[1:]), ranking.family))
        text = (
            f"{by_text}, the share is highest for {names[0]} ({estimate_text(top)}), above every "
            f"other group {_holm_text(ranking)}; {_range_text(shown.iloc[1:], 'the others')}"
        )
    elif ranking.bottom:
        claims.append(Claim("lowest", keys[-1], tuple(keys[:-1]), ranking.family))
        text = (
            f"{by_text}, the share is lowest for {names[-1]} ({estimate_text(bottom)}), below "
            f"every other group {_holm_text(ranking)}; "
            f"{_range_text(shown.iloc[:-1], 'the others')}"
        )
    else:
        text = (
            f"{by_text}, the groups do not differ clearly: {_range_text(shown)}, and "
            f"{_unclear_text(ranking)}"
        )
    return Finding(text + "." + hidden, claims)


def trend_sentence(shares: pd.DataFrame, changes: pd.DataFrame, unit: str = "workplaces") -> str:
    """The first and latest edition's shares and the latest change in words (`analysis.trend`
    up to the report's own edition); one edition: says there is no trend; suppressed editions
    unnamed; nothing when no edition asked it."""
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
    if latest.suppressed:
        return text
    change = difference_sentence(
        latest, f"in {latest['first']}", f"in {latest['second']}", "the share", changes
    )
    return Finding(f"{text} {change}", tested=True)


def top_by_group_sentence(
    table: pd.DataFrame, labels: pd.Series, group_labels: dict, noun: str, pairs: pd.DataFrame
) -> str:
    """Group by group, the most common item ('the most common partner is A for State (52%)')
    where it is above every other item of its group after Holm within that group's pairs
    (`analysis.item_pairs_by_group` of the table, families "... within <group>"), and the groups
    where no item is; suppressed cells are never named; nothing for a table with no rows."""
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
    hidden = " Cells with too few answers are not shown." if len(shown) < len(rows) else ""
    leaders, unclear, claims, sizes = [], [], [], set()
    for group in dict.fromkeys(rows["group"]):
        cells = shown[shown["group"] == group].sort_values("estimate", ascending=False)
        if cells.empty:
            continue
        name = group_labels.get(group, group)
        family = pairs[pairs["family"].astype(str).str.endswith(f" within {name}")]
        sizes.add(int(family["p"].notna().sum()))
        keys = item_keys(cells)
        if len(cells) > 1 and _ranking(cells, keys, family).top:
            claims.append(Claim("most common", keys[0], tuple(keys[1:]), family["family"].iloc[0]))
            leaders.append((name, cells.iloc[0]))
        else:
            unclear.append(name)
    size = sizes.pop() if len(sizes) == 1 else None
    over = (
        f"the {size} pair{'s' if size != 1 else ''} of {noun}s within each group"
        if size is not None
        else f"each group's pairs of {noun}s"
    )
    holm = f"at the 5% level after Holm's adjustment over {over}"
    if not leaders:
        return Finding(
            f"In no group shown is one {noun} clearly more common than all the others ({holm})."
            + hidden
        )
    if not unclear and len({row.label for _, row in leaders}) == 1:
        text = (
            f"The most common {noun} is {leaders[0][1].label} in every group shown, ahead of "
            f"every other {noun} of its group {holm}."
        )
    else:
        parts = [f"{row.label} for {name} ({percent(row.estimate)})" for name, row in leaders]
        each = "each " if len(parts) > 1 else ""
        text = (
            f"The most common {noun} is " + "; ".join(parts) + f", {each}ahead of every other "
            f"{noun} of its group {holm}."
        )
        if unclear:
            text += f" In {_joined(unclear)}, no {noun} is clearly more common than all the others."
    return Finding(text + hidden, claims)


def _joined(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def points(value: float) -> str:
    """A difference of proportions in percentage points ('12.3')."""
    return f"{100 * abs(value):.1f}"


def signed_points(value: float) -> str:
    """A signed difference in percentage points with a true minus sign ('−12.3', '4.0'); a
    difference that rounds to zero reads '0.0', never '−0.0'."""
    text = f"{100 * value:.1f}"
    return "0.0" if float(text) == 0 else text.replace("-", "−")


def _p_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def difference_sentence(
    row, higher_text: str, lower_text: str, subject: str, family: pd.DataFrame | None = None
) -> str:
    """One difference (a row of an `analysis` differences table, or the table's first row) in
    words, and whether it is significant at 5% after Holm's adjustment over its table (the
    family the table's `family` column names; `family`: the table, when `row` is one of its
    rows); a difference involving a suppressed cell is not shown; nothing for a table with no
    rows."""
    if isinstance(row, pd.DataFrame):
        if row.empty:
            return ""
        family, row = row, row.iloc[0]
    if row.suppressed or pd.isna(row.estimate):
        return f"The difference in {subject} cannot be shown: a group has too few answers."
    tested = 1 if family is None else int(family["p"].notna().sum())
    named = (
        str(row["family"])
        if "family" in row.index and pd.notna(row["family"])
        else f"the {tested} comparison{'s' if tested != 1 else ''} of its table"
    )
    p_holm = row.p_holm if "p_holm" in row.index else row.p
    verdict = (
        f"significant at the 5% level after Holm's adjustment over {named} ({_p_text(p_holm)})"
        if p_holm < SIGNIFICANCE
        else f"the data do not show a clear difference after Holm's adjustment over {named} "
        f"({_p_text(p_holm)})"
    )
    interval = (
        f"95% CI {signed_points(row.ci_lower)} to {signed_points(row.ci_upper)} points, unadjusted"
    )
    if signed_points(row.estimate) == "0.0":
        return Finding(
            f"{subject[0].upper()}{subject[1:]} is the same to 0.1 percentage points "
            f"{higher_text} and {lower_text} ({interval}); {verdict}."
        )
    direction = "higher" if row.estimate > 0 else "lower"
    text = (
        f"{subject[0].upper()}{subject[1:]} is {points(row.estimate)} percentage points "
        f"{direction} {higher_text} than {lower_text} ({interval}); {verdict}."
    )
    return Finding(text, tested=True)


def differences_sentence(differences: pd.DataFrame, what: str) -> str:
    """How many of a set of differences are significant after Holm's adjustment within the
    families the table's `family` column names (or over the whole set), and the largest of them;
    nothing for a set with no rows."""
    if differences.empty:
        return ""
    shown = differences[~differences["suppressed"].astype(bool)]
    if shown.empty:
        return f"No difference between {what} can be shown: too few answers."
    significant = shown[shown["p_holm"] < SIGNIFICANCE] if "p_holm" in shown else shown.iloc[0:0]
    families = list(dict.fromkeys(differences["family"])) if "family" in differences else []
    if len(families) == 1:
        holm = f"Holm's adjustment over {families[0]}"
    elif families:
        holm = (
            f"Holm's adjustment within each of its {len(families)} families (named above and in "
            "the report's CSV)"
        )
    else:
        holm = f"Holm's adjustment over these {len(shown)} differences"
    if len(shown) == 1 and significant.empty:
        return Finding(
            f"The one difference between {what} tested is not significant at the 5% level."
        )
    if len(significant):
        row = significant.iloc[int(np.argmax(significant["estimate"].abs().to_numpy()))]
        described = (
            f"{row.label} ({'+' if row.estimate > 0 else '−'}{points(row.estimate)} points, "
            f"95% CI {signed_points(row.ci_lower)} to {signed_points(row.ci_upper)}, unadjusted)"
        )
    if len(shown) == 1:
        return Finding(
            f"The one difference between {what} tested, {described}, is significant at the 5% "
            "level."
        )
    text = (
        f"Of {len(shown)} differences between {what} tested, {len(significant)} "
        f"{'is' if len(significant) == 1 else 'are'} significant at the 5% level after {holm}"
    )
    if len(significant):
        text += f"; the largest is {described}"
    return Finding(text + ".")


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


def country_sentences(
    shares: pd.DataFrame, labels: pd.Series, differences: pd.DataFrame, names: dict | None = None
) -> list[str]:
    """For each indicator, `group_sentence` over its countries, tested against the indicator's
    country pairs in `differences` (`analysis.country_differences`: rows labelled "<indicator
    label>: ...", the family "the {m} country pairs of <indicator label>", Holm within it);
    suppressed countries unnamed. `names`: the countries' names (default COUNTRY_NAMES; the
    Nordic report's name the unit where it differs, `analysis.country_labels`)."""
    sentences = []
    defined = load_indicators()
    for indicator, label in dict(zip(shares["indicator"], labels)).items():
        named = defined[indicator].label if indicator in defined else label
        pairs = differences[differences["label"].astype(str).str.startswith(f"{named}: ")]
        table = shares[shares["indicator"] == indicator]
        sentences.append(group_sentence(table, names or COUNTRY_NAMES, f"For {label}", pairs))
    return sentences
