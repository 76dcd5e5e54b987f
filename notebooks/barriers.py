# %% [markdown]
# # Barriers: what hinders innovation
#
# Which factors hindered the latest innovation, how that differs between sectors and government
# levels, and whether innovations made with partners meet other barriers.

# %% tags=["parameters"]
country = "DK"
edition = 2023
threshold = 5
ci_method = "logit"

# %%
from innobarometer import analysis, report

ed, options = analysis.open_report(country, edition, threshold, ci_method)
report.use_report_style()
report.show_front_matter(ed, "What stands in the way of innovation?", ci_method, threshold)
colour = report.COUNTRY_COLOURS[ed.country]

# %% [markdown]
# ## Hindering factors
#
# For each factor, the full distribution of answers from promoted strongly to hindered strongly,
# then the share of innovating units it hindered (somewhat or strongly), ranked; each factor
# tested against every other with Holm's adjustment.

# %%
report.show_not_asked(ed, analysis.battery_items("factors"))
distribution = analysis.estimate_battery_distribution(ed, "factors", **options)
report.show_distribution(
    distribution,
    "factor_distribution",
    "How each factor affected the latest innovation",
    analysis.category_labels("factor_lack_of_time"),
)

# %%
hindered = analysis.battery_shares(ed, "factors", "hindered", **options)
barrier_pairs = analysis.item_pairs(ed, hindered, "barriers")
report.show_sentences(
    report.ranking_sentence(hindered, analysis.labels(hindered), "barrier", barrier_pairs)
)
report.show_estimates(hindered, "hindered", "Hindered the latest innovation", colours=colour)
report.show_pairs(barrier_pairs, "hindered_pairs")

# %% [markdown]
# ## Barriers by sector and government level
#
# The hindered share of the three most common barriers, in each sector and government level;
# the sentences name each group's own most common barrier among all of them where it is above
# every other barrier of that group (Holm's adjustment within each group's pairs).

# %%
report.show_not_asked(ed, [*analysis.battery_items("factors"), "gov_level", "sector"])
levels = analysis.category_labels("gov_level")
by_level = analysis.battery_shares(ed, "factors", "hindered", by="gov_level", **options)
level_pairs = analysis.item_pairs_by_group(ed, by_level, "gov_level", levels, "barriers")
report.show_sentences(
    report.top_by_group_sentence(
        by_level, analysis.labels(by_level), levels, "barrier", level_pairs
    )
)

# %%
report.show_estimates(
    analysis.top_items(by_level, 3),
    "hindered_by_gov_level",
    "Main barriers by government level",
    group_labels=levels,
    colours=colour,
)
report.show_pairs(level_pairs, "hindered_pairs_by_gov_level")

# %%
sectors = analysis.category_labels("sector")
by_sector = analysis.battery_shares(ed, "factors", "hindered", by="sector", **options)
sector_pairs = analysis.item_pairs_by_group(ed, by_sector, "sector", sectors, "barriers")
report.show_sentences(
    report.top_by_group_sentence(
        by_sector, analysis.labels(by_sector), sectors, "barrier", sector_pairs
    )
)

# %%
report.show_estimates(
    analysis.top_items(by_sector, 3),
    "hindered_by_sector",
    "Main barriers by sector",
    group_labels=sectors,
    colours=colour,
)
report.show_pairs(sector_pairs, "hindered_pairs_by_sector")

# %% [markdown]
# ## Barriers among collaborators and others
#
# The hindered share of each factor for innovations made with partners and without, and the
# difference between the two within the same sample (Holm-adjusted over the factors).

# %%
report.show_not_asked(ed, [*analysis.battery_items("factors"), "collaborated_any"])
groups = analysis.collaboration_groups(ed)
names = analysis.COLLABORATION_GROUPS
by_partners = analysis.battery_shares(ed, "factors", "hindered", by=groups, **options)
gaps = analysis.battery_differences(
    ed,
    list(dict.fromkeys(by_partners["indicator"])),
    "hindered",
    groups,
    ("collaborated", "alone"),
    names,
    threshold,
)

# %%
report.show_sentences(report.differences_sentence(gaps, "innovations with and without partners"))
title = "Hindered, with and without partners"
report.show_estimates(
    by_partners, "hindered_by_partners", title, group_labels=names, colours=colour
)
report.show_differences(gaps, "partner_differences", "With minus without partners")

# %% [markdown]
# ## Beside the published figures

# %%
report.show_theme_published(ed, "barriers", **options)

# %% [markdown]
# ## Notes and caveats
#
# Factors are asked about the latest innovation only; "not relevant" and "don't know" are left
# out of each factor's base. Differences between groups are associations, not causes.

# %%
report.show_caveats(ed)


# %% tags=["key-findings"]
# The report's key findings: tested sentences from the sections above, which the export shows
# at the top of the page.
report.show_key_findings()
