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
report.show_sentences(
    report.share_sentence(collaborated, "made their latest innovation with a partner", innovators),
    report.group_sentence(collaborated, levels, "By government level"),
)
title = "Latest innovation made in collaboration"
report.show_estimates(collaborated, "collaborated", title, group_labels=levels, colours=colour)

# %% [markdown]
# ## Partners
#
# Which partners took part (several may apply). Each partner is tested against the next most
# common one, within the same sample, with Holm's adjustment for the number of tests.

# %%
report.show_not_asked(ed, ["partner"])
partners, partner_differences = analysis.option_differences(ed, "partner", **options)
report.show_sentences(
    report.ranking_sentence(partners, analysis.labels(partners), "partner"),
    report.differences_sentence(partner_differences, "adjacent partners in the ranking"),
)
report.show_estimates(partners, "partners", "Partners in the latest innovation", colours=colour)
report.show_differences(
    partner_differences,
    "partner_differences",
    "Each partner against the next most common",
)

# %% [markdown]
# ## Partners by government level

# %%
report.show_not_asked(ed, ["partner", "gov_level"])
by_level = analysis.estimate_variable(ed, "partner", by="gov_level", **options)
report.show_sentences(
    report.top_by_group_sentence(by_level, analysis.labels(by_level), levels, "partner")
)
report.show_estimates(
    by_level,
    "partners_by_gov_level",
    "Partners by government level",
    group_labels=levels,
    colours=colour,
)

# %% [markdown]
# ## Collaboration intensity
#
# How many kinds of partner took part in the latest innovation.

# %%
report.show_not_asked(ed, ["partner"])
intensity = analysis.estimate_option_count(ed, "partner", **options)
count_labels = analysis.count_labels(intensity, "partner type")
report.show_sentences(report.ranking_sentence(intensity, count_labels, "number of partner types"))
report.show_estimates(
    intensity,
    "partner_count",
    "Number of partner types",
    labels=count_labels,
    colours=colour,
)

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
report.show_sentences(report.group_sentence(by_partners, names, "For increased quality"))
report.show_estimates(
    by_partners,
    "quality_by_partners",
    "Increased quality, with and without partners",
    group_labels=names,
    colours=colour,
)

# %%
model = analysis.fit(
    ed,
    "effect_quality ~ collaborated_any + C(gov_level) + C(size_class)",
    domain="innovators",
    labels={"collaborated_any": "Made in collaboration"},
    threshold=threshold,
)
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
