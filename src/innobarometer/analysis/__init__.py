"""Codebook-aware analysis of harmonised editions: what a theme notebook calls as `analysis.*`.

Modules: `editions` (loading, report parameters), `estimates` (a variable, battery or indicator of
one edition, and what it did not ask), `published` (published figures beside the estimates),
`differences` (tested differences, trends, country comparisons) and `models` (survey GLMs from
formulas: `fit`).
This package re-exports what notebooks call; code inside the package imports from the modules.
"""

from innobarometer.analysis.differences import (
    association_test,
    battery_differences,
    country_differences,
    group_differences,
    option_differences,
    trend,
)
from innobarometer.analysis.editions import (
    AnalysisError,
    Edition,
    active_editions,
    country_editions,
    load_edition,
    open_editions,
    open_report,
)
from innobarometer.analysis.estimates import (
    COLLABORATION_GROUPS,
    EVALUATION_GROUPS,
    battery_items,
    battery_shares,
    binary_values,
    category_labels,
    collaboration_groups,
    count_labels,
    editions_not_asked,
    estimate_battery,
    estimate_battery_distribution,
    estimate_indicators,
    estimate_option_count,
    estimate_shares_by,
    estimate_variable,
    estimate_variables,
    evaluation_groups,
    labels,
    not_asked,
    substantive_groups,
    top_items,
)
from innobarometer.analysis.models import Model, fit
from innobarometer.analysis.published import (
    headline_indicators,
    published_for_report,
    published_not_asked,
)

__all__ = [
    "AnalysisError",
    "COLLABORATION_GROUPS",
    "EVALUATION_GROUPS",
    "Edition",
    "active_editions",
    "association_test",
    "battery_differences",
    "battery_items",
    "battery_shares",
    "binary_values",
    "category_labels",
    "collaboration_groups",
    "count_labels",
    "country_differences",
    "country_editions",
    "editions_not_asked",
    "estimate_battery",
    "estimate_battery_distribution",
    "estimate_indicators",
    "estimate_option_count",
    "estimate_shares_by",
    "estimate_variable",
    "estimate_variables",
    "evaluation_groups",
    "fit",
    "group_differences",
    "headline_indicators",
    "labels",
    "load_edition",
    "Model",
    "not_asked",
    "open_editions",
    "open_report",
    "option_differences",
    "published_for_report",
    "published_not_asked",
    "substantive_groups",
    "top_items",
    "trend",
]
