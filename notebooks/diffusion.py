# %% [markdown]
# # Diffusion: where ideas come from and whether they spread
#
# Whether the latest innovation was the unit's own, adapted or copied; where the idea came from;
# whether the unit spread it actively; and whether copiers and evaluated innovations spread
# differently.

# %% tags=["parameters"]
country = "DK"
edition = 2023
threshold = 5
ci_method = "logit"

# %%
from innobarometer import analysis, report

ed, options = analysis.open_report(country, edition, threshold, ci_method)
report.use_report_style()
report.show_front_matter(ed, "How do innovations travel between workplaces?", ci_method, threshold)
colour = report.COUNTRY_COLOURS[ed.country]
novelty_names = analysis.category_labels("novelty")

# %% [markdown]
# ## Novelty
#
# Whether the latest innovation was developed here first, adapted from others, or largely copied.

# %%
report.show_not_asked(ed, ["novelty"])
novelty = analysis.estimate_variable(ed, "novelty", **options)
origin_pairs = analysis.item_pairs(ed, novelty, "origins")
report.show_sentences(
    report.ranking_sentence(novelty, analysis.labels(novelty), "origin", origin_pairs)
)
report.show_estimates(novelty, "novelty", "Origin of the latest innovation", colours=colour)
report.show_pairs(origin_pairs, "novelty_pairs")

# %% [markdown]
# ## Inspiration channels
#
# Where adapters and copiers heard of the solution they built on (several may apply).

# %%
report.show_not_asked(ed, ["inspiration"])
channels = analysis.estimate_variable(ed, "inspiration", **options)
channel_pairs = analysis.item_pairs(ed, channels, "channels")
report.show_sentences(
    report.ranking_sentence(channels, analysis.labels(channels), "channel", channel_pairs)
)
report.show_estimates(channels, "inspiration", "Where the idea came from", colours=colour)
report.show_pairs(channel_pairs, "inspiration_pairs")

# %% [markdown]
# ## Spreading actively
#
# The share of innovating units that did something to spread their latest innovation.

# %%
report.show_not_asked(ed, ["spread_actively", "gov_level"])
spread = analysis.estimate_variable(ed, "spread_actively", by="gov_level", **options)
levels = analysis.category_labels("gov_level")
innovators = "innovating " + report.unit_noun(ed)
level_pairs = analysis.group_pairs(ed, spread, "gov_level", levels, "government levels")
report.show_sentences(
    report.share_sentence(spread, "actively spread their latest innovation", innovators),
    report.group_sentence(spread, levels, "By government level", level_pairs),
)
title = "Spread the latest innovation actively"
report.show_estimates(spread, "spread_by_gov_level", title, group_labels=levels, colours=colour)
report.show_pairs(level_pairs, "spread_gov_level_pairs")

# %% [markdown]
# ## Do copiers spread less than originators?
#
# The share spreading among units whose latest innovation was largely a copy, and among those
# who adapted others' solutions, each against units whose innovation was their own, in the same
# sample; then a survey logistic regression adjusted for sector and size.

# %%
report.show_not_asked(ed, ["spread_actively", "novelty", "sector", "size_class"])
spread_values = analysis.binary_values(ed, "spread_actively")
origin = analysis.substantive_groups(ed, "novelty")
by_novelty = analysis.estimate_shares_by(ed, spread_values, origin, "spread_actively", **options)
copier_gap = analysis.group_differences(
    ed,
    spread_values,
    origin,
    [("3", "1"), ("2", "1")],
    novelty_names,
    threshold,
    family="the {m} comparisons with originators",
)

# %%
report.show_sentences(
    report.difference_sentence(
        copier_gap, "among copiers", "among originators", "the share spreading"
    )
)
title = "Spread actively, by origin"
report.show_estimates(
    by_novelty, "spread_by_novelty", title, group_labels=novelty_names, colours=colour
)
report.show_differences(copier_gap, "copier_differences", "Against originators")

# %%
model = analysis.model_spreading_on_novelty(ed, threshold=threshold)
copied = "Novelty of the latest innovation: " + novelty_names["3"]
report.show_sentences(
    report.odds_ratio_sentence(model, copied, "spreading actively", "sector and size")
)
title = "Odds of spreading actively (odds ratios)"
report.show_model(model, "spread_model", title)

# %% [markdown]
# ## Are evaluated innovations spread more often?
#
# The share spreading among innovations evaluated (internally or with external help) against
# those not evaluated, in the same sample.

# %%
report.show_not_asked(ed, ["spread_actively", "evaluation"])
evaluated = analysis.evaluation_groups(ed)
names = analysis.EVALUATION_GROUPS
by_evaluation = analysis.estimate_shares_by(
    ed, spread_values, evaluated, "spread_actively", **options
)
evaluation_gap = analysis.group_differences(
    ed, spread_values, evaluated, [("evaluated", "not_evaluated")], names, threshold
)

# %%
report.show_sentences(
    report.difference_sentence(
        evaluation_gap,
        "for evaluated innovations",
        "for innovations not evaluated",
        "the share spreading",
    )
)
title = "Spread actively, by evaluation"
report.show_estimates(
    by_evaluation, "spread_by_evaluation", title, group_labels=names, colours=colour
)
title = "Evaluated against not evaluated"
report.show_differences(evaluation_gap, "evaluation_difference", title)

# %% [markdown]
# ## Beside the published figures

# %%
report.show_theme_published(ed, "diffusion", **options)

# %% [markdown]
# ## Notes and caveats
#
# Inspiration channels are asked only of units that adapted or copied. Evaluation still under
# way or planned counts as not evaluated. A regression shows association, not cause.

# %%
report.show_caveats(ed)


# %% tags=["key-findings"]
# The report's key findings: tested sentences from the sections above, which the export shows
# at the top of the page.
report.show_key_findings()
