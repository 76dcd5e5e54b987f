# %% [markdown]
# # Collaboration: with whom innovations are made
#
# How often the latest innovation was made together with others, which partners took part, how
# many kinds of partner, and whether innovations made in collaboration achieve more.

# %% tags=["parameters"]
country = "DK"
edition = 2023
threshold = 5
ci_method = "logit"

# %%
from innobarometer import analysis, report

ed, options = analysis.open_report(country, edition, threshold, ci_method)
report.use_report_style()
report.show_front_matter(ed, "Who do innovators work with?", ci_method, threshold)
colour = report.COUNTRY_COLOURS[ed.country]

# %% [markdown]
# ## How often innovations are made in collaboration
#
# The share of latest innovations made with at least one partner, among units that innovated.

# %%
report.show_not_asked(ed, ["collaborated_any", "gov_level"])
collaborated = analysis.estimate_indicators(
    ed, ["collaborated_any"], by="gov_level", scope="all public sector", **options
)
levels = analysis.category_labels("gov_level")
innovators = "innovating " + report.unit_noun(ed)
level_pairs = analysis.group_pairs(ed, collaborated, "gov_level", levels, "government levels")
report.show_sentences(
    report.share_sentence(collaborated, "made their latest innovation with a partner", innovators),
    report.group_sentence(collaborated, levels, "By government level", level_pairs),
)
title = "Latest innovation made in collaboration"
report.show_estimates(collaborated, "collaborated", title, group_labels=levels, colours=colour)
report.show_pairs(level_pairs, "collaborated_gov_level_pairs")

# %% [markdown]
# ## Partners
#
# Which partners took part (several may apply). Each partner is tested against every other,
# within the same sample, with Holm's adjustment over all the pairs.

# %%
report.show_not_asked(ed, ["partner"])
partners = analysis.estimate_variable(ed, "partner", **options)
partner_pairs = analysis.item_pairs(ed, partners, "partners")
report.show_sentences(
    report.ranking_sentence(partners, analysis.labels(partners), "partner", partner_pairs),
    report.differences_sentence(partner_pairs, "partners"),
)
report.show_estimates(partners, "partners", "Partners in the latest innovation", colours=colour)
report.show_pairs(partner_pairs, "partner_differences")

# %% [markdown]
# ## Partners by government level

# %%
report.show_not_asked(ed, ["partner", "gov_level"])
by_level = analysis.estimate_variable(ed, "partner", by="gov_level", **options)
level_pairs = analysis.item_pairs_by_group(ed, by_level, "gov_level", levels, "partners")
report.show_sentences(
    report.top_by_group_sentence(
        by_level, analysis.labels(by_level), levels, "partner", level_pairs
    )
)

# %%
report.show_estimates(
    by_level,
    "partners_by_gov_level",
    "Partners by government level",
    group_labels=levels,
    colours=colour,
)
report.show_pairs(level_pairs, "partner_pairs_by_gov_level")

# %% [markdown]
# ## Collaboration intensity
#
# How many kinds of partner took part in the latest innovation.

# %%
report.show_not_asked(ed, ["partner"])
intensity = analysis.estimate_option_count(ed, "partner", **options)
count_labels = analysis.count_labels(intensity, "partner type")
count_pairs = analysis.item_pairs(ed, intensity, "numbers of partner types", count_labels)
report.show_sentences(
    report.ranking_sentence(intensity, count_labels, "number of partner types", count_pairs)
)
report.show_estimates(
    intensity,
    "partner_count",
    "Number of partner types",
    labels=count_labels,
    colours=colour,
)
report.show_pairs(count_pairs, "partner_count_pairs")

# %% [markdown]
# ## Collaboration and effects
#
# A survey logistic regression of whether the latest innovation increased quality on whether it
# was made in collaboration, adjusted for government level and size. Odds ratios above one mean
# higher odds of the effect.

# %%
report.show_not_asked(ed, ["effect_quality", "collaborated_any", "gov_level", "size_class"])
quality = analysis.binary_values(ed, "effect_quality")
partnered = analysis.collaboration_groups(ed)
names = analysis.COLLABORATION_GROUPS
by_partners = analysis.estimate_shares_by(ed, quality, partnered, "effect_quality", **options)
partner_gap = analysis.group_pairs(ed, by_partners, partnered, names, "groups")
report.show_sentences(
    report.group_sentence(by_partners, names, "For increased quality", partner_gap)
)

# %%
report.show_estimates(
    by_partners,
    "quality_by_partners",
    "Increased quality, with and without partners",
    group_labels=names,
    colours=colour,
)
report.show_pairs(partner_gap, "quality_partner_difference")

# %%
model = analysis.model_effect_on_collaboration(ed, "effect_quality", threshold=threshold)
report.show_sentences(
    report.odds_ratio_sentence(
        model, "Made in collaboration", "increased quality", "government level and size"
    )
)
report.show_model(model, "quality_model", "Odds of increased quality (odds ratios)")

# %% [markdown]
# ## Beside the published figures

# %%
report.show_theme_published(ed, "collaboration", **options)

# %% [markdown]
# ## Notes and caveats
#
# Partners are asked about the latest innovation only, so shares are of innovating units. A
# regression shows association, not cause: units that collaborate may differ in ways the model
# does not hold fixed.

# %%
report.show_caveats(ed)


# %% tags=["key-findings"]
# The report's key findings: tested sentences from the sections above, which the export shows
# at the top of the page.
report.show_key_findings()
