# %% [markdown]
# # Overview: who innovates, how, and with what effect
#
# How many public workplaces introduced an innovation, what kind, what the latest innovation
# achieved, whether it was evaluated, and how the share of innovators has moved between editions.

# %% tags=["parameters"]
country = "DK"
edition = 2023
threshold = 5
ci_method = "logit"

# %% tags=["reads"]
# What this report reads, so that the build rebuilds it when any of it changes: its own edition,
# and every edition of its country (the trend below). Hidden in the report.
reads = ["edition", "country"]

# %%
from innobarometer import analysis, report

ed, options = analysis.open_report(country, edition, threshold, ci_method)
report.use_report_style()
report.show_front_matter(ed, "Who innovates, how, and with what effect?", ci_method, threshold)
colour = report.COUNTRY_COLOURS[ed.country]

# %% [markdown]
# ## How many innovate
#
# The share of units that introduced at least one new or changed product, service, process or
# way of communicating in the two years before the survey, overall and by government level and
# sector.

# %%
report.show_not_asked(ed, ["innovative", "gov_level", "sector"])
by_level = analysis.estimate_variable(ed, "innovative", by="gov_level", **options)
levels = analysis.category_labels("gov_level")
p_value = analysis.association_test(ed, analysis.binary_values(ed, "innovative"), "gov_level")
report.show_sentences(
    report.share_sentence(by_level, "introduced at least one innovation", report.unit_noun(ed)),
    report.group_sentence(by_level, levels, "By government level"),
    report.test_sentence(p_value, "the share innovative by government level"),
)
title = "Innovative by government level"
report.show_estimates(
    by_level, "innovative_by_gov_level", title, group_labels=levels, colours=colour
)

# %%
by_sector = analysis.estimate_variable(ed, "innovative", by="sector", **options)
sectors = analysis.category_labels("sector")
report.show_sentences(report.group_sentence(by_sector, sectors, "By sector"))
report.show_estimates(
    by_sector,
    "innovative_by_sector",
    "Innovative by sector",
    group_labels=sectors,
    colours=colour,
)

# %% [markdown]
# ## Types of innovation
#
# Which kinds of innovation units introduced (a unit may introduce several).

# %%
report.show_not_asked(ed, analysis.battery_items("introduced"))
types = analysis.estimate_variables(ed, analysis.battery_items("introduced"), **options)
report.show_sentences(report.ranking_sentence(types, analysis.labels(types), "type"))
report.show_estimates(types, "types", "Kinds of innovation introduced", colours=colour)

# %% [markdown]
# ## Effects achieved
#
# What the latest innovation achieved, among units that innovated.

# %%
report.show_not_asked(ed, analysis.battery_items("effects"))
effects = analysis.estimate_variables(ed, analysis.battery_items("effects"), **options)
report.show_sentences(report.ranking_sentence(effects, analysis.labels(effects), "effect"))
report.show_estimates(effects, "effects", "Effects of the latest innovation", colours=colour)

# %% [markdown]
# ## Evaluation
#
# Whether the latest innovation was evaluated, and how.

# %%
report.show_not_asked(ed, ["evaluation"])
evaluation = analysis.estimate_variable(ed, "evaluation", **options)
report.show_sentences(report.ranking_sentence(evaluation, analysis.labels(evaluation), "answer"))
report.show_estimates(
    evaluation, "evaluation", "Evaluation of the latest innovation", colours=colour
)

# %% [markdown]
# ## Trend across editions
#
# The share of innovative units in each edition of this country's barometer, and each edition
# against the one before (separate samples).

# %%
lacking = analysis.editions_not_asked(analysis.country_editions(ed.country), ["innovative"])
report.show_left_out(lacking, "the trend")
shares, changes = analysis.trend(ed.country, "innovative", **options)
report.show_sentences(report.trend_sentence(shares, changes, report.unit_noun(ed)))
report.show_estimates(
    shares,
    "innovative_by_edition",
    "Innovative, by edition",
    colours=colour,
    groups_as_rows=True,
)
report.show_differences(changes, "edition_differences", "Change from the edition before")

# %% [markdown]
# ## Beside the published figures
#
# The package's estimate of every published figure of this theme for this edition.

# %%
report.show_theme_published(ed, "overview", **options)

# %% [markdown]
# ## Notes and caveats
#
# Comparability notes recorded with this edition's data. Shares of innovators' answers exclude
# "don't know" from the base. Trends compare separate samples whose questions and coverage may
# have changed between editions.

# %%
report.show_caveats(ed)
