"""What a theme notebook calls to show results, as `report.*`.

Modules: `tables` (formatting and the table bundle behind the CSV), `notices` (front matter and
notices), `sentences` (generated findings), `figures` (charts and their compact PNGs), `sections`
(a section's figure, table and sentences together) and `export` (the page and CSV of an executed
notebook). This package re-exports what notebooks call; code inside the package imports from the
modules.
"""

from innobarometer.report.figures import (
    COUNTRY_COLOURS,
    COUNTRY_NAMES,
    use_report_style,
)
from innobarometer.report.notices import (
    show_caveats,
    show_comparability,
    show_front_matter,
    show_left_out,
    show_nordic_front_matter,
    show_not_asked,
    unit_noun,
)
from innobarometer.report.sections import (
    show_country_comparison,
    show_differences,
    show_distribution,
    show_estimates,
    show_model,
    show_published,
    show_theme_published,
)
from innobarometer.report.sentences import (
    difference_sentence,
    differences_sentence,
    group_sentence,
    model_sentence,
    odds_ratio_sentence,
    ranking_sentence,
    share_sentence,
    show_sentences,
    test_sentence,
    top_by_group_sentence,
    trend_sentence,
)
from innobarometer.report.tables import (
    show_table,
)

__all__ = [
    "COUNTRY_COLOURS",
    "COUNTRY_NAMES",
    "difference_sentence",
    "differences_sentence",
    "group_sentence",
    "model_sentence",
    "odds_ratio_sentence",
    "ranking_sentence",
    "share_sentence",
    "show_caveats",
    "show_comparability",
    "show_country_comparison",
    "show_differences",
    "show_distribution",
    "show_estimates",
    "show_front_matter",
    "show_left_out",
    "show_model",
    "show_nordic_front_matter",
    "show_not_asked",
    "show_published",
    "show_sentences",
    "show_table",
    "show_theme_published",
    "test_sentence",
    "top_by_group_sentence",
    "trend_sentence",
    "unit_noun",
    "use_report_style",
]
