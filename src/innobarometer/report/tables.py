"""Tables as readers see them and as the CSV records them.

Every table a report shows goes through `show_table`, which emits two renderings of one display
output: HTML for readers, and the unrounded table as JSON under `TABLE_MIME`, which the export
collects into the report's CSV. A table's `section` there is the heading it stands under in the
notebook, so each section title is written once.

Both renderings are made once per language of the build (`show_in_every_language`) from numbers
computed once: the HTML's words and number formats follow the language, and so do the CSV's label
columns; its numbers and codes are the same in every language.
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
from innobarometer.language import N_, _, ngettext
from innobarometer.report.export import TABLE_MIME
from innobarometer.report.languages import show_in_every_language

# Texts marked for the catalogs (`N_`) are translated where they are shown (`_`).
SUPPRESSED_TEXT = N_("suppressed")
# Why a cell is blank, by the tidy table's `suppression` column (survey.disclosure).
SUPPRESSION_NOTES = {
    "primary": N_("suppressed: too few responding units"),
    "secondary": N_("suppressed: hidden to protect another cell"),
}
LABEL_COLUMNS = ["group_label", "category_label"]
# Whose percentage a row is: the universe (or domain) of its base, in the reader's words.
WHOSE = {
    "all": N_("all units"),
    "innovators": N_("innovators"),
    "non_innovators": N_("non-innovators"),
    "adapters_and_copiers": N_("innovators whose latest innovation was adapted or copied"),
    "collaborators": N_("collaborating innovators"),
}
# A flag of a tidy row (survey.disclosure.UNRELIABLE), as its Note says it.
FLAG_NOTES = {"unreliable": N_("unreliable")}


FOLDED_ROWS = 25


def percent(value: float, digits: int = 0) -> str:
    """A proportion as a percentage in the current language ('83%', nb '83 %'); blank for
    missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return language.percent(value, digits)


def interval_text(lower: float, upper: float) -> str:
    """Both ends of an interval as whole percentages without the sign ('81–85'); blank for
    missing."""
    if pd.isna(lower) or pd.isna(upper):
        return ""
    return language.percent_points(lower, upper)


def estimate_text(row, digits: int = 0) -> str:
    """'61%, 95% CI 57–65%' for one unsuppressed tidy row (', unreliable' when flagged), in the
    current language."""
    estimate = percent(row.estimate, digits)
    unreliable = getattr(row, "flag", "") == "unreliable"
    if pd.isna(row.ci_lower) or pd.isna(row.ci_upper):
        return _("{estimate}, unreliable").format(estimate=estimate) if unreliable else estimate
    template = (
        _("{estimate}, 95% CI {interval}, unreliable")
        if unreliable
        else _("{estimate}, 95% CI {interval}")
    )
    return template.format(
        estimate=estimate, interval=language.percent_range(row.ci_lower, row.ci_upper)
    )


def localised(text):
    """A label given in English (by a notebook, or computed before the languages were rendered)
    in the current language: a `Text`'s own rendering, else the codebook's wording in the language
    where the English codebook has this label, else the catalog's; the text itself when neither
    has it (or in English)."""
    if isinstance(text, language.Text):
        return text.in_language(language.current())
    if language.current() == language.ENGLISH or not isinstance(text, str) or not text:
        return text
    return codebook_wording().get(text) or _(text)


def localised_comparison(label):
    """A comparison's label ('Item: A vs B', as the analysis names differences) in the current
    language: each name localised, joined by the language's own template (a `Text`: its
    rendering, whose names are the language's already, e.g. the Nordic countries' labels)."""
    if isinstance(label, language.Text):
        label = label.in_language(language.current())
    if language.current() == language.ENGLISH or not isinstance(label, str):
        return localised(label)
    *heads, pair = label.split(": ")
    first, vs, second = pair.partition(" vs ")
    if vs:
        pair = _("{first} vs {second}").format(first=localised(first), second=localised(second))
    else:
        pair = localised(pair)
    return ": ".join([*map(localised, heads), pair])


_WORDINGS: dict[str, tuple[object, dict[str, str]]] = {}


def codebook_wording() -> dict[str, str]:
    """The codebook's English labels (variables, categories and classes, options, don't know,
    batteries) -> the current language's wording of the same, made once per language and
    codebook; the first meaning of a label wins. The one map the report layer translates labels
    given in English by (`localised`, `sentences._label`)."""
    code = language.current()
    local = load_codebook()
    made = _WORDINGS.get(code)
    if made is not None and made[0] is local:
        return made[1]
    with language.speaking(language.ENGLISH):
        english = load_codebook()
    wording: dict[str, str] = {}

    def pair(texts, others) -> None:
        for key, text in texts.items():
            other = others.get(key)
            if isinstance(text, str) and other and other != text:
                wording.setdefault(text, other)

    for name, var in english.variables.items():
        theirs = local.variables.get(name)
        if theirs is None:
            continue
        pair({"label": var.label}, {"label": theirs.label})
        pair(var.class_labels, theirs.class_labels)
        pair(var.options, theirs.options)
        pair(
            {c: english.label(var, c) for c in var.non_substantive},
            {c: local.label(theirs, c) for c in theirs.non_substantive},
        )
    pair(english.non_substantive_labels, local.non_substantive_labels)
    pair(english.batteries, local.batteries)
    _WORDINGS[code] = (local, wording)
    return wording


def format_estimates(
    table: pd.DataFrame, label: pd.Series | None = None, group_labels: dict | None = None
) -> pd.DataFrame:
    """The tidy table as readers see it: percentages with intervals, n, and a note per row.

    `label` (aligned with `table`) replaces indicator/category codes with codebook labels and
    `group_labels` group codes with names; means (interval method t, e.g. options ticked) are
    shown as numbers, not percentages.
    """
    shown = pd.DataFrame(index=table.index)
    items = label if label is not None else table["indicator"]
    shown[_("Item")] = [localised(i) for i in items]
    if (table["group"] != "").any():
        names = group_labels or {}
        shown[_("Group")] = [localised(names.get(g, g)) if g else _("all") for g in table["group"]]
    is_mean = (table["ci_method"] == "t").to_numpy()
    shown[_("Estimate")] = [
        "" if s else (language.number(e, 2) if m else percent(e, 1))
        for e, s, m in zip(table["estimate"], table["suppressed"], is_mean)
    ]
    shown[_level_text(table)] = [
        "" if s else (_number_range(lo, hi) if m else interval_text(lo, hi))
        for lo, hi, s, m in zip(table["ci_lower"], table["ci_upper"], table["suppressed"], is_mean)
    ]
    shown["n"] = table["n_unweighted"].astype(int)
    shown[_("Note")] = [
        suppression_note(reason) if s else _flag_note(flag)
        for s, reason, flag in zip(table["suppressed"], _reasons(table), table["flag"])
    ]
    return shown.reset_index(drop=True)


def _flag_note(flag) -> str:
    """A row's flag as its Note says it ('unreliable'); blank for none."""
    if not isinstance(flag, str) or not flag:
        return ""
    return _(FLAG_NOTES[flag]) if flag in FLAG_NOTES else flag


def _number_range(lower: float, upper: float, digits: int = 2) -> str:
    """An interval of numbers (means, odds ratios): '1.10–1.90' in the current language."""
    return f"{language.number(lower, digits)}–{language.number(upper, digits)}"


def suppression_note(reason) -> str:
    """Why a cell is blank, for its Note: too few units (primary) or protecting another cell
    (secondary); plain "suppressed" for a table that does not say."""
    return _(SUPPRESSION_NOTES.get(reason, SUPPRESSED_TEXT))


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
        text = _(WHOSE[universe]) if universe in WHOSE else str(universe).replace("_", " ")
        if published and domain != "all":
            text = _("{whose} ({domain})").format(whose=text, domain=domain)
        whose[text] = None
        # A distribution's rows are its codes; a battery's promoted/hindered/net are shares.
        if var is not None and var.type in ("single", "ordinal") and category.isdigit():
            rules[_(DISTRIBUTION_BASE)] = None
        elif var is not None and var.type in ("binary", "multiple", "ordinal"):
            rules[_(SUBSTANTIVE_BASE)] = None
        elif published is not None:
            rules[_(PUBLISHED_BASE[bool(published.exclude_from_base)])] = None
    means = (table["ci_method"] == "t").all()
    kind = (
        _("Means of {whose} who answered.") if means else _("Percentages of {whose} who answered.")
    )
    return " ".join([kind.format(whose=" / ".join(whose)), *rules])


# The base rules a table's caption states (`base_caption`).
DISTRIBUTION_BASE = N_(
    "Each item's answers, don't know and not relevant included, are shares of everyone who "
    "answered it and sum to 100%."
)
SUBSTANTIVE_BASE = N_("Don't know and not relevant are left out of the base.")
# By the published indicator's `exclude_from_base`.
PUBLISHED_BASE = {
    True: N_(
        "Published indicators keep their published definitions: don't know and not relevant "
        "are left out of the base."
    ),
    False: N_("Published indicators keep their published definitions: don't know counts as no."),
}


def with_label_columns(table: pd.DataFrame, shown: pd.DataFrame | None = None) -> pd.DataFrame:
    """The table with `group_label` and `category_label` for the CSV in the current language: a
    tidy table's labels (the group names the reader sees in `shown`'s Group column first, then
    those the table carries, then the codebook's); empty columns for other tables (differences,
    models, published figures), whose `label` column reads already."""
    if not {"indicator", "category", "group"} <= set(table.columns):
        return table.assign(**{c: table.get(c, "") for c in LABEL_COLUMNS})
    codes = table["group"].fillna("").astype(str)
    given = table.get("group_label", pd.Series("", index=table.index)).fillna("").astype(str)
    # A label left from before the groups were reassigned (e.g. editions side by side).
    given = given.where((codes == "") == (given == WHOLE_DOMAIN_LABEL), "")
    seen = pd.Series(codes.to_numpy(), index=table.index)
    group_column = _("Group")
    if shown is not None and group_column in shown and len(shown) == len(table):
        seen = pd.Series(shown[group_column].astype(str).to_numpy(), index=table.index)
    known = group_names(None)
    groups = [
        localised(WHOLE_DOMAIN_LABEL)
        if code == ""
        else (name if name != code else localised(label or group_label_of(code, known)))
        for code, name, label in zip(codes, seen, given)
    ]
    categories = table.get("category_label", pd.Series("", index=table.index)).fillna("")
    filled = [
        _category_label(str(i), str(c), label)
        for i, c, label in zip(table["indicator"], table["category"], categories.astype(str))
    ]
    return table.assign(group_label=groups, category_label=filled)


def _category_label(indicator: str, category: str, given: str) -> str:
    """A tidy row's category label in the current language: the label the table carries
    (computed in English) or the codebook's; the codebook's in the language where the carried
    label is the codebook's English one, else the carried label translated (`localised`)."""
    if not given:
        return code_label(indicator, category)
    if language.current() == language.ENGLISH:
        return given
    with language.speaking(language.ENGLISH):
        english = code_label(indicator, category)
    return code_label(indicator, category) if given == english else localised(given)


def _level_text(table: pd.DataFrame) -> str:
    """The interval column's header, naming the interval methods ('95% logit interval')."""
    methods = sorted(set(table["ci_method"].dropna()))
    if not methods:
        return _("95% interval")
    return _("95% {methods} interval").format(methods="/".join(methods))


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
        summary = ngettext("The numbers ({n} row)", "The numbers ({n} rows)", len(rows))
        summary = html.escape(summary.format(n=len(rows)))
        return f"<details><summary>{summary}</summary>{table}</details>"
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
    shown=None,
    caption=None,
) -> None:
    """Display a table in the notebook and record it, unrounded, for the report's CSV (as table
    `name` of the section whose heading it stands under), in every language of the build; a
    table with no rows is neither shown nor recorded.

    `shown` (the table as readers see it, default `format_estimates`) and `caption` (default
    `base_caption`) may be functions, called in each language; a caption given as text is
    translated (`_`, or a `Text`'s own rendering), a data frame given is shown as it is.
    """
    if table.empty:
        return

    def render():
        view = shown() if callable(shown) else shown
        if view is None:
            view = format_estimates(table) if "estimate" in table else table
        labelled = with_label_columns(table, view)
        if caption is None:
            text = base_caption(labelled)
        else:
            text = caption() if callable(caption) else caption
            text = localised(text) if text else text
        return table_bundle(labelled, name, view, text), {}

    show_in_every_language(render)


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

    between = _("{lower} to {upper}")
    shown = pd.DataFrame(
        {
            _("Comparison"): [localised_comparison(label) for label in differences["label"]],
            _("Difference (points)"): signed(differences["estimate"]),
            _("95% interval (unadjusted)"): [
                "" if h else between.format(lower=_signed_points(lo), upper=_signed_points(hi))
                for lo, hi, h in zip(differences["ci_lower"], differences["ci_upper"], hidden)
            ],
            "p": ["" if h else _p_text(p) for p, h in zip(differences["p"], hidden)],
            _("p (Holm)"): ["" if h else _p_text(p) for p, h in zip(differences["p_holm"], hidden)],
            "n": [f"{a} / {b}" for a, b in zip(differences["n_first"], differences["n_second"])],
            _("Note"): np.where(hidden, _(DIFFERENCE_HIDDEN), ""),
        }
    )
    return shown.reset_index(drop=True)


DIFFERENCE_HIDDEN = N_("suppressed: a group or option compared is suppressed")


def _signed_points(value: float) -> str:
    """Percentage points with a sign ('+4.0', '-12.3', nb '+4,0'); '0.0' when it rounds to
    zero, never '-0.0' or '+0.0'."""
    return language.signed(100 * value, 1)


def _p_text(p: float) -> str:
    """A p-value with three decimals, '<0.001' below that, in the current language."""
    if pd.isna(p):
        return ""
    return "<" + language.number(0.001, 3) if p < 0.001 else language.number(p, 3)


def format_model(model) -> pd.DataFrame:
    """Odds ratios as readers see them."""
    table = model.table
    return pd.DataFrame(
        {
            _("Term (against its reference)"): [localised(label) for label in table["label"]],
            _("Odds ratio"): [language.number(v, 2) for v in table["odds_ratio"]],
            _("95% interval"): [
                _number_range(lo, hi) for lo, hi in zip(table["ci_lower"], table["ci_upper"])
            ],
            "p": [_p_text(p) for p in table["p"]],
        }
    )


def format_published(comparison: pd.DataFrame) -> pd.DataFrame:
    """Published figures beside the estimates, as readers see them."""
    hidden = comparison["suppressed"].astype(bool)
    shown = pd.DataFrame(
        {
            _("Indicator"): [localised(label) for label in comparison["label"]],
            _("Scope"): [localised(scope) for scope in comparison["scope"]],
            _("Published"): [percent(v) for v in comparison["published"]],
            _("Estimate"): [
                "" if h else percent(v, 1) for v, h in zip(comparison["estimate"], hidden)
            ],
            _("95% interval"): [
                "" if h else interval_text(lo, hi)
                for lo, hi, h in zip(comparison["ci_lower"], comparison["ci_upper"], hidden)
            ],
            _("Inside"): [
                "" if h else (_("yes") if inside else _("no"))
                for inside, h in zip(comparison["published_inside_interval"], hidden)
            ],
            _("Source"): comparison["source_key"],
            # A published figure is set against a whole-domain estimate, which only the
            # threshold suppresses (secondary suppression hides groups).
            _("Note"): np.where(hidden, _(SUPPRESSION_NOTES["primary"]), ""),
        }
    )
    for column, header in PUBLISHED_EDITION_COLUMNS.items():
        if column in comparison:
            shown.insert(0, _(header), [localised(text) for text in comparison[column]])
    return shown


# The columns of a comparison across editions (`format_published`), by their headers.
PUBLISHED_EDITION_COLUMNS = {
    "set_against": N_("Set against"),
    "estimated_from": N_("Estimated from"),
}
