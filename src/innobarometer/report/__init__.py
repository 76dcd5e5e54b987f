"""What a theme notebook calls to show results, as `report.*`.

Modules: `tables` (formatting and the table bundle behind the CSV), `notices` (front matter and
notices), `sentences` (generated findings), `figures` (charts), `sections` (a section's figure,
table and sentences together) and `export` (the page, PNG encoding and CSV of an executed
notebook). This package re-exports the notebook API; code inside the package imports from the
modules.

The names load on first use (PEP 562): the build's runner and workers import `report.export`, and
the package itself must not pull pandas and the analysis layer into them.
"""

from __future__ import annotations

import importlib

# Each name of the notebook API and the module that defines it.
_API = {
    "COUNTRY_COLOURS": "figures",
    "COUNTRY_NAMES": "figures",
    "difference_sentence": "sentences",
    "differences_sentence": "sentences",
    "group_sentence": "sentences",
    "model_sentence": "sentences",
    "odds_ratio_sentence": "sentences",
    "ranking_sentence": "sentences",
    "share_sentence": "sentences",
    "show_caveats": "notices",
    "show_comparability": "notices",
    "show_country_comparison": "sections",
    "show_differences": "sections",
    "show_distribution": "sections",
    "show_estimates": "sections",
    "show_front_matter": "notices",
    "show_left_out": "notices",
    "show_model": "sections",
    "show_nordic_front_matter": "notices",
    "show_not_asked": "notices",
    "show_pairs": "sections",
    "show_published": "sections",
    "show_round": "nordic",
    "show_delivered": "nordic",
    "show_round_changes": "nordic",
    "copiers_sentence": "nordic",
    "cross_unit_sentence": "nordic",
    "show_breaks": "trends",
    "show_by_country": "nordic",
    "show_difference_matrices": "nordic",
    "show_trend": "trends",
    "show_comparability_box": "nordic",
    "collaboration_sentence": "nordic",
    "novelty_sentences": "nordic",
    "nordic_figure_sentence": "nordic",
    "outside_sentences": "nordic",
    "show_key_findings": "sentences",
    "show_sentences": "sentences",
    "show_table": "tables",
    "show_theme_published": "sections",
    "test_sentence": "sentences",
    "top_by_group_sentence": "sentences",
    "trend_sentence": "sentences",
    "unit_noun": "notices",
    "use_report_style": "figures",
}
__all__ = sorted(_API)


def __getattr__(name: str):
    """A name of the notebook API, imported from its module on first use."""
    if name not in _API:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_API[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The notebook API, for completion in JupyterLab."""
    return __all__
