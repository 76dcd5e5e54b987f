# %% [markdown]
# # Drivers: who starts innovations and what helps them along
#
# Who or what led units to start their latest innovation, which factors promoted it, how the
# initiators differ between government levels, and which kinds of workplace innovate most.

# %% tags=["parameters"]
country = "DK"
edition = 2023
threshold = 5
ci_method = "logit"

# %%
from innobarometer import analysis, report

ed, options = analysis.open_report(country, edition, threshold, ci_method)
report.use_report_style()
report.show_front_matter(ed, "What drives public-sector innovation?", ci_method, threshold)
colour = report.COUNTRY_COLOURS[ed.country]
levels = analysis.category_labels("gov_level")

# %% [markdown]
# ## Initiators
#
# Who or what mainly led the unit to start its latest innovation (up to three answers). Each
# initiator is tested against every other, in the same sample, with Holm's adjustment over all
# the pairs.

# %%
report.show_not_asked(ed, ["initiator"])
initiators = analysis.estimate_variable(ed, "initiator", **options)
initiator_pairs = analysis.item_pairs(ed, initiators, "initiators")
report.show_sentences(
    report.ranking_sentence(initiators, analysis.labels(initiators), "initiator", initiator_pairs),
    report.differences_sentence(initiator_pairs, "initiators"),
)
report.show_estimates(
    initiators, "initiators", "Initiators of the latest innovation", colours=colour
)
report.show_pairs(initiator_pairs, "initiator_differences")

# %% [markdown]
# ## Promoters
#
# The share of innovating units for which each factor promoted the latest innovation (strongly or
# somewhat), ranked; each factor tested against every other with Holm's adjustment.

# %%
report.show_not_asked(ed, analysis.battery_items("factors"))
promoters = analysis.battery_shares(ed, "factors", "promoted", **options)
promoter_pairs = analysis.item_pairs(ed, promoters, "promoters")
report.show_sentences(
    report.ranking_sentence(promoters, analysis.labels(promoters), "promoter", promoter_pairs)
)
report.show_estimates(promoters, "promoters", "Promoted the latest innovation", colours=colour)
report.show_pairs(promoter_pairs, "promoter_pairs")

# %% [markdown]
# ## Drivers by government level
#
# Initiators of the latest innovation in each government level.

# %%
report.show_not_asked(ed, ["initiator", "gov_level"])
by_level = analysis.estimate_variable(ed, "initiator", by="gov_level", **options)
level_pairs = analysis.item_pairs_by_group(ed, by_level, "gov_level", levels, "initiators")
report.show_sentences(
    report.top_by_group_sentence(
        by_level, analysis.labels(by_level), levels, "initiator", level_pairs
    )
)

# %%
report.show_estimates(
    by_level,
    "initiators_by_gov_level",
    "Initiators by government level",
    group_labels=levels,
    colours=colour,
)
report.show_pairs(level_pairs, "initiator_pairs_by_gov_level")

# %% [markdown]
# ## Which workplaces innovate
#
# A survey logistic regression of being innovative on government level, sector and size. Each
# odds ratio compares a group with the reference group of its characteristic.

# %%
report.show_not_asked(ed, ["innovative", "gov_level", "sector", "size_class"])
by_size = analysis.estimate_variable(ed, "innovative", by="size_class", **options)
sizes = analysis.category_labels("size_class")
size_pairs = analysis.group_pairs(ed, by_size, "size_class", sizes, "size classes")
report.show_sentences(report.group_sentence(by_size, sizes, "By size", size_pairs))
report.show_estimates(
    by_size,
    "innovative_by_size",
    "Innovative by size",
    group_labels=sizes,
    colours=colour,
)
report.show_pairs(size_pairs, "innovative_size_pairs")

# %%
model = analysis.model_innovative_on_characteristics(ed, threshold=threshold)
report.show_sentences(report.model_sentence(model, "being innovative"))
report.show_model(model, "innovative_model", "Odds of being innovative (odds ratios)")

# %% [markdown]
# ## Beside the published figures

# %%
report.show_theme_published(ed, "drivers", **options)

# %% [markdown]
# ## Notes and caveats
#
# Initiators and promoters are asked about the latest innovation only. Up to three initiators
# may be ticked, so shares add up to more than the whole. A regression shows association, not
# cause.

# %%
report.show_caveats(ed)


# %% tags=["key-findings"]
# The report's key findings: tested sentences from the sections above, which the export shows
# at the top of the page.
report.show_key_findings()
