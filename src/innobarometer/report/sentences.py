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

Every sentence is made in every language of the build (issue 16): its tests run once, then its
words are rendered per language from whole templates of the catalogs (`language._`, `ngettext`)
with numbers in that language's format, and the result is a `language.Text` (a `Finding` is
one) whose English is what it always was. The claims are the same in every language: keys and
the family as the pairs' `family` column names it; a family is shown in words through a template
per kind of family (`family_text`). Text a notebook passes in English (statements, nouns,
labels) is translated where shown (`_label`).
"""

from __future__ import annotations

import functools
import html
import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from innobarometer import language
from innobarometer.analysis.differences import SIGNIFICANCE, item_keys
from innobarometer.codebook import country_name, load_codebook
from innobarometer.indicators import load_indicators
from innobarometer.language import N_, _, ngettext, percent, percent_range, rendered
from innobarometer.report.tables import codebook_wording, show_html

# What a claim asserts of its subject against the others it names.
CLAIM_KINDS = ("highest", "lowest", "most common", "least common", "higher")

# Words that reach the sentences where the extractor does not see them: passed by the theme
# notebooks without a space or a capital, or to `analysis` as the noun of a family's name ("the 45
# pairs of sectors"), or by another report module. Marked here for the catalogs; translated
# where shown (`_label`, `family_text`).
NOTEBOOK_WORDS = (
    N_("workplaces"),
    N_("organisations"),
    N_("innovating workplaces"),
    N_("innovating organisations"),
    N_("answer"),
    N_("answers"),
    N_("barrier"),
    N_("barriers"),
    N_("channel"),
    N_("channels"),
    N_("effect"),
    N_("effects"),
    N_("groups"),
    N_("initiator"),
    N_("initiators"),
    N_("origin"),
    N_("origins"),
    N_("partner"),
    N_("partners"),
    N_("promoter"),
    N_("promoters"),
    N_("type"),
    N_("types"),
    N_("sectors"),
    N_("editions"),
    N_("government levels"),
    N_("size classes"),
    N_("numbers of partner types"),
    N_("originators"),
    # what `sections.show_country_comparison` passes to `differences_sentence`
    N_("countries"),
    N_("countries answering for the same unit"),
)


@dataclass(frozen=True)
class Claim:
    """One tested assertion: `subject` (a key in the pairs' `first`/`second`) is `kind` against
    each of `others`, every pair significant after Holm within `family` (the pairs' `family`).
    Claims are the same in every language: keys and the family as the CSV names it."""

    kind: str
    subject: str
    others: tuple[str, ...]
    family: str


class Finding(language.Text):
    """A generated sentence (with its renderings in the build's languages) and the claims it
    makes (none for a sentence that ranks nothing); `tested`: the sentence states the outcome of
    a test (a claim, or that groups do not differ clearly), so it may stand among the key
    findings."""

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
    """One sentence as the page shows it in the current language: a ranking claim in a span
    carrying its claims (the same claims in every language)."""
    text = html.escape(language.rendered(sentence, language.current()))
    claims = getattr(sentence, "claims", ())
    if not claims:
        return text
    data = html.escape(json.dumps([asdict(c) for c in claims], ensure_ascii=False), quote=True)
    return f'<span class="claim" data-claims="{data}">{text}</span>'


def show_sentences(*sentences: str) -> None:
    """Generated findings as one paragraph in every language of the build; tested ones are
    remembered for the key findings."""
    shown = [s for s in sentences if s]
    if not shown:
        return
    _SHOWN.extend(s for s in shown if getattr(s, "tested", False))
    show_html(_paragraph(shown))


@language.in_every_language
def _paragraph(sentences: list[str]) -> str:
    return f'<p class="finding">{" ".join(sentence_html(s) for s in sentences)}</p>'


def key_findings(sentences: list[str], most: int = KEY_FINDINGS[1]) -> list[str]:
    """Up to `most` of a report's tested sentences, each once: those making claims first, then
    those saying groups do not differ clearly, each kind in the order the report shows them."""
    tested = list(dict.fromkeys(s for s in sentences if getattr(s, "tested", False)))
    claims = [s for s in tested if s.claims]
    return (claims + [s for s in tested if not s.claims])[:most]


@language.in_every_language
def key_findings_html(sentences: list[str]) -> str:
    """The key findings block: a list of sentences exactly as the sections below show them."""
    if not sentences:
        return ""
    items = "".join(f"<li>{sentence_html(s)}</li>" for s in sentences)
    heading = html.escape(_("Key findings"))
    note = html.escape(
        _(
            "Each is a sentence from the sections below, where its test is shown (significance "
            "at 5% after Holm's adjustment within the family of comparisons it names)."
        ),
        quote=False,
    )
    return (
        f'<section class="key-findings"><h2 id="key-findings">{heading}</h2>'
        f"<ul>{items}</ul><p>{note}</p></section>"
    )


def show_key_findings() -> None:
    """Three to five of the tested sentences the report has shown (fewer when it has fewer);
    the export moves this block to the top of the page, after the front matter."""
    chosen = key_findings(_SHOWN)
    forget_findings()
    show_html(key_findings_html(chosen) if len(chosen) >= KEY_FINDINGS[0] else "")


# --- words passed in from the notebooks and the analysis, in the current language ----------------


def _label(text: str) -> str:
    """An English label or phrase from a notebook or the analysis (a statement, a noun, a
    codebook label) in the current language: the catalog's translation, else the codebook's
    wording of that label, else its parts around ': ' (a model term 'Variable: category'), else
    the English."""
    if isinstance(text, language.Text):
        return text.in_language(language.current())
    if language.current() == language.ENGLISH or not isinstance(text, str) or not text:
        return text
    translated = language.translation(text)
    if translated is not None:
        return translated
    wording = codebook_wording()
    if text in wording:
        return wording[text]
    if ": " in text:
        head, tail = text.split(": ", 1)
        return f"{_label(head)}: {_label(tail)}"
    return text


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def family_text(family: str) -> str:
    """A Holm family as the `family` column names it ('the 45 pairs of sectors'), in the current
    language: a template per kind of family with its count (plural forms) and its translated
    noun, group or label; the column, the claims and English keep the English name."""
    if language.current() == language.ENGLISH:
        return family
    whole = language.translation(family)
    if whole is not None:
        return whole
    if match := re.fullmatch(r"the (\d+) pairs? of (.+) within (.+)", family):
        m, noun, group = int(match[1]), _label(match[2]), _label(match[3])
        return ngettext(
            "the {m} pair of {noun} within {group}", "the {m} pairs of {noun} within {group}", m
        ).format(m=m, noun=noun, group=group)
    if match := re.fullmatch(r"the (\d+) country pairs? of (.+)", family):
        m, label = int(match[1]), _label(match[2])
        return ngettext(
            "the {m} country pair of {label}", "the {m} country pairs of {label}", m
        ).format(m=m, label=label)
    if match := re.fullmatch(r"the (\d+) changes? between rounds of (.+)", family):
        m, label = int(match[1]), _label(match[2])
        return ngettext(
            "the {m} change between rounds of {label}",
            "the {m} changes between rounds of {label}",
            m,
        ).format(m=m, label=label)
    if match := re.fullmatch(r"the (\d+) pairs? of (.+)", family):
        m, noun = int(match[1]), _label(match[2])
        return ngettext("the {m} pair of {noun}", "the {m} pairs of {noun}", m).format(
            m=m, noun=noun
        )
    if match := re.fullmatch(r"the (\d+) comparisons? with (.+)", family):
        m, what = int(match[1]), _label(match[2])
        return ngettext(
            "the {m} comparison with {what}", "the {m} comparisons with {what}", m
        ).format(m=m, what=what)
    if match := re.fullmatch(r"the (\d+) (?:comparison|comparisons) of this table", family):
        m = int(match[1])
        return ngettext(
            "the {m} comparison of this table", "the {m} comparisons of this table", m
        ).format(m=m)
    if match := re.fullmatch(r"the (\d+) (?:change|changes) between consecutive editions", family):
        m = int(match[1])
        return ngettext(
            "the {m} change between consecutive editions",
            "the {m} changes between consecutive editions",
            m,
        ).format(m=m)
    if match := re.fullmatch(r"the (\d+) (?:item|items) compared", family):
        m = int(match[1])
        return ngettext("the {m} item compared", "the {m} items compared", m).format(m=m)
    if family == "no pairs":
        return _("no pairs")
    return family


def _estimate_text(row) -> str:
    """'61%, 95% CI 57–65%' for one unsuppressed tidy row (', unreliable' when flagged)."""
    share = percent(row.estimate)
    unreliable = getattr(row, "flag", "") == "unreliable"
    if pd.notna(row.ci_lower) and pd.notna(row.ci_upper):
        interval = percent_range(row.ci_lower, row.ci_upper)
        if unreliable:
            return _("{share}, 95% CI {interval}, unreliable").format(
                share=share, interval=interval
            )
        return _("{share}, 95% CI {interval}").format(share=share, interval=interval)
    return _("{share}, unreliable").format(share=share) if unreliable else share


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


@language.in_every_language
def share_sentence(table: pd.DataFrame, statement: str, unit: str = "workplaces") -> str:
    """'83% of workplaces introduced an innovation (95% CI 81–85%).' from the first whole-domain
    share row; a suppressed share is never named; nothing for a table with no rows."""
    if table.empty:
        return ""
    row = _whole_domain_shares(table).iloc[0]
    unit, statement = _label(unit), _label(statement)
    if row.suppressed or pd.isna(row.estimate):
        return _(
            "The share of {unit} that {statement} is not shown: too few units answered "
            "(disclosure rule)."
        ).format(unit=unit, statement=statement)
    text = _("{share} of {unit} {statement} (95% CI {interval}).").format(
        share=percent(row.estimate),
        unit=unit,
        statement=statement,
        interval=percent_range(row.ci_lower, row.ci_upper),
    )
    if row.flag == "unreliable":
        text += " " + _("The estimate is unreliable.")
    return text


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


def _range_text(shown: pd.DataFrame, others: bool = False) -> str:
    """'the shares range from 75% to 93%' ('the others ...' with `others`), or 'are all 72%'
    when they round alike (at least two shares)."""
    low, high = percent(shown["estimate"].min()), percent(shown["estimate"].max())
    if low != high:
        if others:
            return _("the others range from {low} to {high}").format(low=low, high=high)
        return _("the shares range from {low} to {high}").format(low=low, high=high)
    if others:
        return _("the others are all {share}").format(share=low)
    return _("the shares are all {share}").format(share=low)


def _holm_text(family: str) -> str:
    return _("at the 5% level after Holm's adjustment over {family}").format(
        family=family_text(family)
    )


def _unclear_text(ranking: _Ranking, noun: str | None = None) -> str:
    """The outcome of the family's tests when no `noun` (translated; default 'group') stands
    out."""
    family = family_text(ranking.family)
    if ranking.significant == 0:
        return _("none of {family} differs at the 5% level after Holm's adjustment").format(
            family=family
        )
    n = ranking.significant
    if noun is None:
        return ngettext(
            "{n} of {family} differs at the 5% level after Holm's adjustment, but no group is "
            "above or below all the others",
            "{n} of {family} differ at the 5% level after Holm's adjustment, but no group is "
            "above or below all the others",
            n,
        ).format(n=n, family=family)
    return ngettext(
        "{n} of {family} differs at the 5% level after Holm's adjustment, but no {noun} is "
        "above or below all the others",
        "{n} of {family} differ at the 5% level after Holm's adjustment, but no {noun} is "
        "above or below all the others",
        n,
    ).format(n=n, family=family, noun=noun)


def _with_hidden(text: str, hidden: str) -> str:
    """A sentence followed by the note on what is not shown ('' for none)."""
    return f"{text} {hidden}" if hidden else text


def _every_language(render: Callable[[], str]) -> str:
    """`render()` in every language of the build: it makes the words and number formats only,
    the tests behind them computed once before (the same numbers in every language)."""
    return language.in_every_language(render)()


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
    hidden = len(shown) < len(rows)
    if len(shown) < 2:
        return _every_language(lambda: _few_items(shown, noun, hidden))
    keys = item_keys(shown)
    ranking = _ranking(shown, keys, pairs)
    return _every_language(lambda: _ranked_items(shown, keys, ranking, noun, hidden))


def _items_hidden(hidden: bool) -> str:
    return _("Items with too few answers are not shown.") if hidden else ""


def _few_items(shown: pd.DataFrame, noun: str, hidden: bool) -> str:
    """`ranking_sentence` of no item or one item shown, in the current language."""
    noun = _label(noun)
    if shown.empty:
        return _("No {noun} can be shown: every item has too few answers.").format(noun=noun)
    first = shown.iloc[0]
    text = _("Only one {noun} can be shown: {label} ({estimate}).").format(
        noun=noun, label=_label(first.label), estimate=_estimate_text(first)
    )
    return _with_hidden(text, _items_hidden(hidden))


def _ranked_items(
    shown: pd.DataFrame, keys: list[str], ranking: _Ranking, noun: str, hidden: bool
) -> str:
    """`ranking_sentence` of two or more items shown (ranked), in the current language."""
    noun = _label(noun)
    first, second, last = shown.iloc[0], shown.iloc[1], shown.iloc[-1]
    values = {
        "noun": noun,
        "first": _label(first.label),
        "estimate": _estimate_text(first),
        "second": _label(second.label),
        "second_share": percent(second.estimate),
        "last": _label(last.label),
        "last_share": percent(last.estimate),
        "holm": _holm_text(ranking.family),
    }
    claims = []
    if ranking.top:
        claims.append(Claim("most common", keys[0], tuple(keys[1:]), ranking.family))
    if ranking.bottom:
        claims.append(Claim("least common", keys[-1], tuple(keys[:-1]), ranking.family))
    if ranking.top and ranking.bottom:
        template = _(
            "The most common {noun} is {first} ({estimate}), ahead of every other {noun}, the "
            "nearest being {second} ({second_share}); the least common is {last} "
            "({last_share}); each {holm}."
        )
    elif ranking.top and len(shown) > 2:
        template = _(
            "The most common {noun} is {first} ({estimate}), ahead of every other {noun}, the "
            "nearest being {second} ({second_share}), {holm}."
        )
    elif ranking.top:
        template = _(
            "The most common {noun} is {first} ({estimate}), ahead of {second} "
            "({second_share}), {holm}."
        )
    elif ranking.bottom:
        values["estimate"] = _estimate_text(last)
        values["others"] = _range_text(shown.iloc[:-1], others=True)
        template = _(
            "The least common {noun} is {last} ({estimate}), behind every other {noun} {holm}; "
            "{others}, and none of them is clearly above all the rest."
        )
    else:
        values["shares"] = _range_text(shown)
        values["unclear"] = _unclear_text(ranking, noun)
        template = _("No {noun} is clearly more common than the others: {shares}, and {unclear}.")
    return Finding(_with_hidden(template.format(**values), _items_hidden(hidden)), claims)


@dataclass
class _Groups:
    """The groups of a table's first indicator: how many it has, those shown (ranked, their
    keys) and the outcome of their tests (None with fewer than two to compare)."""

    count: int
    shown: pd.DataFrame
    keys: list[str]
    ranking: _Ranking | None


def _groups(table: pd.DataFrame, pairs: pd.DataFrame) -> _Groups:
    """The groups of the first indicator of a non-empty table, tested against `pairs`."""
    first = table.iloc[0]
    rows = table[
        (table["indicator"] == first.indicator)
        & (table["category"] == first.category)
        & (table["group"] != "")
    ]
    shown = _visible(rows).sort_values("estimate", ascending=False, kind="stable")
    keys = shown["group"].astype(str).tolist()
    compared = len(rows) >= 2 and len(shown) >= 2
    return _Groups(len(rows), shown, keys, _ranking(shown, keys, pairs) if compared else None)


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
    groups = _groups(table, pairs)
    return _every_language(
        lambda: _groups_in_words(
            groups, {key: _label(name) for key, name in group_labels.items()}, _label(by_text)
        )
    )


def _groups_in_words(groups: _Groups, names: dict, by_text: str) -> str:
    """`group_sentence` in the current language, its group names and `by_text` in it."""
    shown, keys, ranking = groups.shown, groups.keys, groups.ranking
    hidden = _("Groups with too few answers are not shown.") if groups.count > len(shown) else ""
    if groups.count < 2:
        return _("{by}, the data hold a single group, so there is nothing to compare.").format(
            by=by_text
        )
    if ranking is None:
        text = _("{by}, fewer than two groups can be shown, so none is compared.")
        return _with_hidden(text.format(by=by_text), hidden)
    top, bottom = shown.iloc[0], shown.iloc[-1]
    values = {
        "by": by_text,
        "top": names.get(keys[0], keys[0]),
        "top_estimate": _estimate_text(top),
        "bottom": names.get(keys[-1], keys[-1]),
        "bottom_estimate": _estimate_text(bottom),
        "holm": _holm_text(ranking.family),
    }
    claims = []
    if ranking.top and len(shown) == 2:
        claims.append(Claim("higher", keys[0], (keys[1],), ranking.family))
        template = _(
            "{by}, the share is higher for {top} ({top_estimate}) than for {bottom} "
            "({bottom_estimate}), {holm}."
        )
    elif ranking.top and ranking.bottom:
        claims.append(Claim("highest", keys[0], tuple(keys[1:]), ranking.family))
        claims.append(Claim("lowest", keys[-1], tuple(keys[:-1]), ranking.family))
        template = _(
            "{by}, the share is highest for {top} ({top_estimate}) and lowest for {bottom} "
            "({bottom_estimate}); each differs from every other group {holm}."
        )
    elif ranking.top:
        claims.append(Claim("highest", keys[0], tuple(keys[1:]), ranking.family))
        values["others"] = _range_text(shown.iloc[1:], others=True)
        template = _(
            "{by}, the share is highest for {top} ({top_estimate}), above every other group "
            "{holm}; {others}."
        )
    elif ranking.bottom:
        claims.append(Claim("lowest", keys[-1], tuple(keys[:-1]), ranking.family))
        values["others"] = _range_text(shown.iloc[:-1], others=True)
        template = _(
            "{by}, the share is lowest for {bottom} ({bottom_estimate}), below every other group "
            "{holm}; {others}."
        )
    else:
        values["shares"] = _range_text(shown)
        values["unclear"] = _unclear_text(ranking)
        template = _("{by}, the groups do not differ clearly: {shares}, and {unclear}.")
    return Finding(_with_hidden(template.format(**values), hidden), claims)


@language.in_every_language
def trend_sentence(shares: pd.DataFrame, changes: pd.DataFrame, unit: str = "workplaces") -> str:
    """The first and latest edition's shares and the latest change in words (`analysis.trend`
    up to the report's own edition); one edition: says there is no trend; suppressed editions
    unnamed; nothing when no edition asked it."""
    if shares.empty:
        return ""
    shown = _visible(shares)
    if len(shares) < 2:
        return _("This country has a single edition in the data set, so there is no trend to show.")
    if len(shown) < 2:
        return _("Fewer than two editions can be shown, so no trend is described.")
    first, last = shown.iloc[0], shown.iloc[-1]
    text = _(
        "The share of innovative {unit} was {first_share} in {first} and {last_share} in {last}."
    ).format(
        unit=_label(unit),
        first_share=percent(first.estimate),
        first=first.group,
        last_share=percent(last.estimate),
        last=last.group,
    )
    latest = changes.iloc[-1]
    if latest.suppressed:
        return text
    change = _difference_sentence(
        latest,
        _("in {edition}").format(edition=latest["first"]),
        _("in {edition}").format(edition=latest["second"]),
        _("the share"),
        changes,
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
        return _every_language(
            lambda: _("No {noun} can be shown by group: too few answers.").format(noun=_label(noun))
        )
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
    leads = _Leaders(leaders, unclear, claims, sizes.pop() if len(sizes) == 1 else None)
    hidden = len(shown) < len(rows)
    return _every_language(lambda: _leaders_in_words(leads, noun, hidden))


@dataclass
class _Leaders:
    """Each group's most common item where one leads its group (group name, its row), the
    groups where none does, the claims, and the number of pairs in each group (None when the
    groups differ in it)."""

    leaders: list[tuple[str, pd.Series]]
    unclear: list[str]
    claims: list[Claim]
    size: int | None


def _leaders_in_words(leads: _Leaders, noun: str, hidden: bool) -> str:
    """`top_by_group_sentence` in the current language."""
    nouns, noun = _label(f"{noun}s"), _label(noun)
    hidden_text = _("Cells with too few answers are not shown.") if hidden else ""
    over = (
        ngettext(
            "the {m} pair of {nouns} within each group",
            "the {m} pairs of {nouns} within each group",
            leads.size,
        ).format(m=leads.size, nouns=nouns)
        if leads.size is not None
        else _("each group's pairs of {nouns}").format(nouns=nouns)
    )
    holm = _("at the 5% level after Holm's adjustment over {family}").format(family=over)
    if not leads.leaders:
        text = _(
            "In no group shown is one {noun} clearly more common than all the others ({holm})."
        ).format(noun=noun, holm=holm)
        return Finding(_with_hidden(text, hidden_text))
    if not leads.unclear and len({row.label for _name, row in leads.leaders}) == 1:
        text = _(
            "The most common {noun} is {label} in every group shown, ahead of every other {noun} "
            "of its group {holm}."
        ).format(noun=noun, label=_label(leads.leaders[0][1].label), holm=holm)
    else:
        parts = "; ".join(
            _("{label} for {group} ({share})").format(
                label=_label(row.label), group=_label(name), share=percent(row.estimate)
            )
            for name, row in leads.leaders
        )
        if len(leads.leaders) > 1:
            template = _(
                "The most common {noun} is {leaders}, each ahead of every other {noun} of its "
                "group {holm}."
            )
        else:
            template = _(
                "The most common {noun} is {leaders}, ahead of every other {noun} of its group "
                "{holm}."
            )
        text = template.format(noun=noun, leaders=parts, holm=holm)
        if leads.unclear:
            text += " " + _(
                "In {groups}, no {noun} is clearly more common than all the others."
            ).format(groups=_joined([_label(name) for name in leads.unclear]), noun=noun)
    return Finding(_with_hidden(text, hidden_text), leads.claims)


def _joined(names: list[str]) -> str:
    """'A', 'A and B', 'A, B and C' in the current language."""
    if len(names) == 1:
        return names[0]
    return _("{names} and {last}").format(names=", ".join(names[:-1]), last=names[-1])


def points(value: float) -> str:
    """A difference of proportions in percentage points ('12.3'), in the current language."""
    return language.number(100 * abs(value), 1)


def signed_points(value: float) -> str:
    """A signed difference in percentage points with a true minus sign ('−12.3', '4.0'); a
    difference that rounds to zero reads '0.0', never '−0.0'; in the current language."""
    return language.number(100 * value, 1).replace("-", "−")


def _p_text(p: float) -> str:
    if p < 0.001:
        return _("p < {p}").format(p=language.number(0.001, 3))
    return _("p = {p}").format(p=language.number(p, 3))


@language.in_every_language
def difference_sentence(
    row, higher_text: str, lower_text: str, subject: str, family: pd.DataFrame | None = None
) -> str:
    """One difference (a row of an `analysis` differences table, or the table's first row) in
    words, and whether it is significant at 5% after Holm's adjustment over its table (the
    family the table's `family` column names; `family`: the table, when `row` is one of its
    rows); a difference involving a suppressed cell is not shown; nothing for a table with no
    rows."""
    return _difference_sentence(
        row, _label(higher_text), _label(lower_text), _label(subject), family
    )


def _difference_sentence(
    row, higher_text: str, lower_text: str, subject: str, family: pd.DataFrame | None = None
) -> str:
    """`difference_sentence` in the current language, its texts in it."""
    if isinstance(row, pd.DataFrame):
        if row.empty:
            return ""
        family, row = row, row.iloc[0]
    if row.suppressed or pd.isna(row.estimate):
        return _(
            "The difference in {subject} cannot be shown: a group has too few answers."
        ).format(subject=subject)
    tested = 1 if family is None else int(family["p"].notna().sum())
    named = (
        family_text(str(row["family"]))
        if "family" in row.index and pd.notna(row["family"])
        else ngettext(
            "the {m} comparison of its table", "the {m} comparisons of its table", tested
        ).format(m=tested)
    )
    p_holm = row.p_holm if "p_holm" in row.index else row.p
    verdict = (
        _("significant at the 5% level after Holm's adjustment over {family} ({p})")
        if p_holm < SIGNIFICANCE
        else _(
            "the data do not show a clear difference after Holm's adjustment over {family} ({p})"
        )
    ).format(family=named, p=_p_text(p_holm))
    values = {
        "subject": _capitalised(subject),
        "points": points(row.estimate),
        "higher": higher_text,
        "lower": lower_text,
        "lower_ci": signed_points(row.ci_lower),
        "upper_ci": signed_points(row.ci_upper),
        "verdict": verdict,
    }
    if round(100 * row.estimate, 1) == 0:
        return Finding(
            _(
                "{subject} is the same to 0.1 percentage points {higher} and {lower} (95% CI "
                "{lower_ci} to {upper_ci} points, unadjusted); {verdict}."
            ).format(**values)
        )
    if row.estimate > 0:
        template = _(
            "{subject} is {points} percentage points higher {higher} than {lower} (95% CI "
            "{lower_ci} to {upper_ci} points, unadjusted); {verdict}."
        )
    else:
        template = _(
            "{subject} is {points} percentage points lower {higher} than {lower} (95% CI "
            "{lower_ci} to {upper_ci} points, unadjusted); {verdict}."
        )
    return Finding(template.format(**values), tested=True)


@language.in_every_language
def differences_sentence(differences: pd.DataFrame, what: str) -> str:
    """How many of a set of differences are significant after Holm's adjustment within the
    families the table's `family` column names (or over the whole set), and the largest of them;
    nothing for a set with no rows."""
    if differences.empty:
        return ""
    what = _label(what)
    shown = differences[~differences["suppressed"].astype(bool)]
    if shown.empty:
        return _("No difference between {what} can be shown: too few answers.").format(what=what)
    significant = shown[shown["p_holm"] < SIGNIFICANCE] if "p_holm" in shown else shown.iloc[0:0]
    families = list(dict.fromkeys(differences["family"])) if "family" in differences else []
    if len(families) == 1:
        holm = _("Holm's adjustment over {family}").format(family=family_text(families[0]))
    elif families:
        holm = _(
            "Holm's adjustment within each of its {n} families (named above and in the report's "
            "CSV)"
        ).format(n=len(families))
    else:
        holm = _("Holm's adjustment over these {n} differences").format(n=len(shown))
    if len(shown) == 1 and significant.empty:
        return Finding(
            _(
                "The one difference between {what} tested is not significant at the 5% level."
            ).format(what=what)
        )
    if len(significant):
        row = significant.iloc[int(np.argmax(significant["estimate"].abs().to_numpy()))]
        described = _(
            "{label} ({difference} points, 95% CI {lower} to {upper}, unadjusted)"
        ).format(
            label=_label(row.label),
            difference=("+" if row.estimate > 0 else "−") + points(row.estimate),
            lower=signed_points(row.ci_lower),
            upper=signed_points(row.ci_upper),
        )
    if len(shown) == 1:
        return Finding(
            _(
                "The one difference between {what} tested, {described}, is significant at the 5% "
                "level."
            ).format(what=what, described=described)
        )
    values = {"n": len(shown), "what": what, "k": len(significant), "holm": holm}
    if len(significant):
        template = ngettext(
            "Of {n} differences between {what} tested, {k} is significant at the 5% level after "
            "{holm}; the largest is {described}.",
            "Of {n} differences between {what} tested, {k} are significant at the 5% level after "
            "{holm}; the largest is {described}.",
            len(significant),
        )
        return Finding(template.format(described=described, **values))
    return Finding(
        _(
            "Of {n} differences between {what} tested, {k} are significant at the 5% level after "
            "{holm}."
        ).format(**values)
    )


# The test a `test_sentence` names unless told another.
RAO_SCOTT = N_("Rao-Scott test")


@language.in_every_language
def test_sentence(p_value: float, what: str, test: str = RAO_SCOTT) -> str:
    """'A Rao-Scott test finds the shares differ between groups (p = 0.003).' or not."""
    what, test = _label(what), _label(test)
    if p_value is None or pd.isna(p_value):
        return _("The {test} of {what} cannot be computed on these data.").format(
            test=test, what=what
        )
    if p_value < 0.05:
        template = _("By the {test}, {what} differs ({p}).")
    else:
        template = _("By the {test}, {what} does not differ significantly ({p}).")
    return template.format(test=test, what=what, p=_p_text(p_value))


@language.in_every_language
def odds_ratio_sentence(model, term_label: str, outcome_text: str, adjusted_for: str) -> str:
    """'Made in collaboration goes with 1.8 times the odds of increased quality (95% CI 1.3–2.4
    ...), adjusted for ...'; nothing when there is no model (`show_model` says why)."""
    if model.message or model.not_asked:
        return ""
    rows = model.table[model.table["label"] == term_label]
    if rows.empty:
        return _("The model has no term for {term}.").format(term=_label(term_label))
    row = rows.iloc[0]
    values = {
        "term": _label(term_label),
        "ratio": language.number(row.odds_ratio, 2),
        "outcome": _label(outcome_text),
        "lower": language.number(row.ci_lower, 2),
        "upper": language.number(row.ci_upper, 2),
        "adjusted": _label(adjusted_for),
    }
    if row.ci_lower > 1 or row.ci_upper < 1:
        template = _(
            "{term} goes with {ratio} times the odds of {outcome} (95% CI {lower}–{upper}; the "
            "interval excludes one), adjusted for {adjusted}."
        )
    else:
        template = _(
            "{term} goes with {ratio} times the odds of {outcome} (95% CI {lower}–{upper}; the "
            "interval includes one, so no clear association), adjusted for {adjusted}."
        )
    return template.format(**values)


@language.in_every_language
def model_sentence(model, outcome_text: str) -> str:
    """The term most strongly associated with the outcome among those whose interval excludes
    one, or that none does; nothing when there is no model (`show_model` says why)."""
    if model.message or model.not_asked:
        return ""
    table = model.table
    outcome = _label(outcome_text)
    clear = table[(table["ci_lower"] > 1) | (table["ci_upper"] < 1)]
    if clear.empty:
        return _(
            "No characteristic in the model is clearly associated with {outcome}: every odds "
            "ratio's interval includes one."
        ).format(outcome=outcome)
    row = clear.loc[np.log(clear["odds_ratio"]).abs().idxmax()]
    return _(
        "Of {n} terms, {k} have intervals excluding one; the strongest is {label}, with {ratio} "
        "times the odds of {outcome} (95% CI {lower}–{upper}) against its reference group."
    ).format(
        n=len(table),
        k=len(clear),
        label=_label(row.label),
        ratio=language.number(row.odds_ratio, 2),
        outcome=outcome,
        lower=language.number(row.ci_lower, 2),
        upper=language.number(row.ci_upper, 2),
    )


NO_PUBLISHED_FIGURE = N_(
    "No published figure of this theme can be set against an estimate of this edition."
)


@language.in_every_language
def published_sentence(
    comparison: pd.DataFrame, synthetic: bool, none_text: str = NO_PUBLISHED_FIGURE
) -> str:
    """How the package's estimates sit against the published figures (`none_text` when no
    figure can be set against them)."""
    if comparison.empty:
        return _label(none_text)
    shown = comparison[~comparison["suppressed"].astype(bool)]
    values = {
        "inside": int(shown["published_inside_interval"].astype(bool).sum()),
        "n": len(comparison),
        "suppressed": len(comparison) - len(shown),
    }
    if values["suppressed"]:
        figures = _(
            "{inside} of {n} published figures lie inside the 95% interval of the package's "
            "estimate ({suppressed} estimates suppressed)"
        ).format(**values)
    else:
        figures = _(
            "{inside} of {n} published figures lie inside the 95% interval of the package's "
            "estimate"
        ).format(**values)
    if not synthetic:
        return _("{figures}.").format(figures=figures)
    targets = comparison["calibration_target"].astype(bool)
    if targets.all():
        return _(
            "{figures}; the synthetic data are calibrated to these figures, so agreement is by "
            "design."
        ).format(figures=figures)
    if targets.any():
        return _(
            "{figures}; the synthetic data are calibrated to the {targets} national figures, so "
            "agreement there is by design; the other {others} (the Nordic comparison report's) "
            "are comparisons only."
        ).format(figures=figures, targets=int(targets.sum()), others=int((~targets).sum()))
    return _("{figures}; these figures are comparisons only, not calibration targets.").format(
        figures=figures
    )


def country_sentences(
    shares: pd.DataFrame, labels: pd.Series, differences: pd.DataFrame, names: dict | None = None
) -> list[str]:
    """For each indicator, `group_sentence` over its countries, tested against the indicator's
    country pairs in `differences` (`analysis.country_differences`: rows labelled "<indicator
    label>: ...", the family "the {m} country pairs of <indicator label>", Holm within it);
    suppressed countries unnamed; countries named in each language. `names`: the countries'
    names where they differ from the codebook's (the Nordic report's name the unit where it
    differs, `analysis.country_labels`; each a `language.Text`)."""
    sentences = []
    defined = load_indicators()
    for indicator, label in dict(zip(shares["indicator"], labels)).items():
        named = defined[indicator].label if indicator in defined else label
        pairs = differences[differences["label"].astype(str).str.startswith(f"{named}: ")]
        groups = _groups(shares[shares["indicator"] == indicator], pairs)
        sentences.append(
            _every_language(functools.partial(_countries_in_words, groups, label, names))
        )
    return sentences


def _countries_in_words(groups: _Groups, label: str, given: dict | None = None) -> str:
    """One indicator's `group_sentence` over its countries, in the current language."""
    here = language.current()
    given = given or {}
    names = {
        code: rendered(given[code], here) if code in given else country_name(code)
        for code in groups.keys
    }
    return _groups_in_words(groups, names, _("For {indicator}").format(indicator=_label(label)))
