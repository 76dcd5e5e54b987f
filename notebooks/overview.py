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
level_pairs = analysis.group_pairs(ed, by_level, "gov_level", levels, "government levels")
report.show_sentences(
    report.share_sentence(by_level, "introduced at least one innovation", report.unit_noun(ed)),
    report.group_sentence(by_level, levels, "By government level", level_pairs),
    report.test_sentence(p_value, "the share innovative by government level"),
)
title = "Innovative by government level"
report.show_estimates(
    by_level, "innovative_by_gov_level", title, group_labels=levels, colours=colour
)
report.show_pairs(level_pairs, "innovative_gov_level_pairs")

# %%
by_sector = analysis.estimate_variable(ed, "innovative", by="sector", **options)
sectors = analysis.category_labels("sector")
sector_pairs = analysis.group_pairs(ed, by_sector, "sector", sectors, "sectors")
report.show_sentences(report.group_sentence(by_sector, sectors, "By sector", sector_pairs))
report.show_estimates(
    by_sector,
    "innovative_by_sector",
    "Innovative by sector",
    group_labels=sectors,
    colours=colour,
)
report.show_pairs(sector_pairs, "innovative_sector_pairs")

# %% [markdown]
# ## Types of innovation
#
# Which kinds of innovation units introduced (a unit may introduce several). Each kind is tested
# against every other, in the same sample, with Holm's adjustment over all the pairs.

# %%
report.show_not_asked(ed, analysis.battery_items("introduced"))
types = analysis.estimate_variables(ed, analysis.battery_items("introduced"), **options)
type_pairs = analysis.item_pairs(ed, types, "types")
report.show_sentences(report.ranking_sentence(types, analysis.labels(types), "type", type_pairs))
report.show_estimates(types, "types", "Kinds of innovation introduced", colours=colour)
report.show_pairs(type_pairs, "type_pairs")

# %% [markdown]
# ## Effects achieved
#
# What the latest innovation achieved, among units that innovated.

# %%
report.show_not_asked(ed, analysis.battery_items("effects"))
effects = analysis.estimate_variables(ed, analysis.battery_items("effects"), **options)
effect_pairs = analysis.item_pairs(ed, effects, "effects")
report.show_sentences(
    report.ranking_sentence(effects, analysis.labels(effects), "effect", effect_pairs)
)
report.show_estimates(effects, "effects", "Effects of the latest innovation", colours=colour)
report.show_pairs(effect_pairs, "effect_pairs")

# %% [markdown]
# ## Evaluation
#
# Whether the latest innovation was evaluated, and how.

# %%
report.show_not_asked(ed, ["evaluation"])
evaluation = analysis.estimate_variable(ed, "evaluation", **options)
answer_pairs = analysis.item_pairs(ed, evaluation, "answers")
report.show_sentences(
    report.ranking_sentence(evaluation, analysis.labels(evaluation), "answer", answer_pairs)
)
report.show_estimates(
    evaluation, "evaluation", "Evaluation of the latest innovation", colours=colour
)
report.show_pairs(answer_pairs, "evaluation_pairs")

# %% [markdown]
# ## Trend across editions
#
# The share of innovative units in each edition of this country's barometer up to this one, and
# each edition against the one before (separate samples).

# %%
editions = analysis.trend_editions(ed.country, until=ed.year)
report.show_left_out(analysis.editions_not_asked(editions, ["innovative"]), "the trend")
shares, changes = analysis.trend(ed.country, "innovative", until=ed.year, **options)
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


# %% tags=["key-findings"]
# The report's key findings: tested sentences from the sections above, which the export shows
# at the top of the page.
report.show_key_findings()
