# %% [markdown]
# # The Nordic countries side by side
#
# One round of the barometers (`data/rounds.yaml`): the comparisons of "Measuring New Nordic
# Solutions" by country with intervals and tests: the share innovative and a Nordic
# figure, innovation types, collaboration and partners, novelty (own idea, adapted, copied),
# initiators, promoters and barriers, effects and spreading; the headline indicators of each theme
# with every country pair tested; and every published figure beside the package's estimate. A
# country is named as highest only where every difference is significant after Holm. The
# barometers differ in unit, coverage and wording: the box below says how before any finding.

# %% tags=["parameters"]
editions = "latest"
round = "latest"  # the round's name in data/rounds.yaml (the build passes it)
lacking = []  # the round's editions that are not in the active data set
previous_round = ""  # the round before it in data/rounds.yaml (the build passes it)
previous_editions = []  # that round's active editions
threshold = 5
ci_method = "logit"

# %% tags=["reads"]
# What this report reads, so that the build rebuilds it when any of it changes: the editions it
# compares, and every edition of their countries (published figures are set against the edition
# they belong to). Hidden in the report.
reads = ["editions", "countries"]

# %%
from innobarometer import analysis, report

eds, options = analysis.open_round(editions, threshold, ci_method)
report.use_report_style()
report.show_round(round, eds, lacking)
report.show_nordic_front_matter(eds, ci_method, threshold)
# Comparability first: before the key findings, which the export places after this cell.
report.show_comparability_box(analysis.comparability_facts(eds))

# %%
labels = analysis.country_labels(eds)
headline = {
    theme: analysis.headline_indicators(theme)
    for theme in ("overview", "collaboration", "diffusion", "drivers", "barriers")
}
compared = {
    theme: analysis.country_differences(eds, indicators, **options)
    for theme, indicators in headline.items()
}
figure, beside = analysis.nordic_share(eds, **options)
novelty = analysis.category_by_country(eds, "novelty", **options)
leaders = {c: analysis.leader(*novelty, c) for c in ("1", "2", "3")}

# %% [markdown]
# ## Overview

# %%
report.show_left_out(analysis.editions_not_asked(eds, headline["overview"]), "this comparison")
shares, differences = compared["overview"]
differences = analysis.name_units(differences, eds)
report.show_sentences(report.nordic_figure_sentence(figure, beside, labels))
report.show_country_comparison(shares, differences, "Overview", labels)
report.show_sentences(report.cross_unit_sentence(differences, labels))
report.show_difference_matrices(differences, labels, "Overview: differences between countries")
types = analysis.items_by_country(eds, analysis.battery_items("introduced"), **options)
report.show_by_country(*types, "types", "Types of innovation introduced, by country", labels)

# %% [markdown]
# ## Novelty: own idea, adapted or copied
#
# Each innovator's latest innovation: first developed here, inspired by others and adapted, or
# largely a copy. A country is named only where it differs from every other, after Holm.

# %%
report.show_left_out(analysis.editions_not_asked(eds, ["novelty"]), "this comparison")
report.show_sentences(*report.novelty_sentences(*novelty, labels, leaders))
report.show_sentences(report.cross_unit_sentence(novelty[1], labels))
report.show_by_country(
    *novelty, "novelty", "Novelty of the latest innovation, by country", labels, figure=True
)
report.show_difference_matrices(novelty[1], labels, "Novelty: differences between countries")

# %% [markdown]
# ## Collaboration

# %%
report.show_left_out(analysis.editions_not_asked(eds, headline["collaboration"]), "this comparison")
shares, differences = compared["collaboration"]
differences = analysis.name_units(differences, eds)
report.show_sentences(report.collaboration_sentence(shares, labels))
report.show_country_comparison(shares, differences, "Collaboration", labels)
report.show_sentences(report.cross_unit_sentence(differences, labels))
report.show_difference_matrices(differences, labels, "Collaboration: differences")
partners = analysis.category_by_country(eds, "partner", **options)
report.show_by_country(*partners, "partners", "Partners of the latest innovation", labels)

# %% [markdown]
# ## Diffusion

# %%
report.show_left_out(analysis.editions_not_asked(eds, headline["diffusion"]), "this comparison")
shares, differences = compared["diffusion"]
differences = analysis.name_units(differences, eds)
report.show_country_comparison(shares, differences, "Diffusion", labels)
report.show_sentences(report.cross_unit_sentence(differences, labels))
report.show_difference_matrices(differences, labels, "Diffusion: differences")
spread = analysis.copiers_spread_less(eds, threshold)
report.show_sentences(report.copiers_sentence(spread, labels))
report.show_differences(
    spread, "copiers_spread_less", "Spread actively: own idea minus copied, per country"
)

# %% [markdown]
# ## Drivers

# %%
report.show_left_out(analysis.editions_not_asked(eds, headline["drivers"]), "this comparison")
shares, differences = compared["drivers"]
differences = analysis.name_units(differences, eds)
report.show_country_comparison(shares, differences, "Drivers", labels)
report.show_sentences(report.cross_unit_sentence(differences, labels))
report.show_difference_matrices(differences, labels, "Drivers: differences")
initiated = analysis.category_by_country(eds, "initiator", **options)
report.show_by_country(*initiated, "initiators", "Who initiated the latest innovation", labels)
promoted = analysis.battery_by_country(eds, "promoted", **options)
report.show_by_country(*promoted, "promoted", "Promoted the innovation (ranked)", labels)

# %% [markdown]
# ## Barriers

# %%
report.show_left_out(analysis.editions_not_asked(eds, headline["barriers"]), "this comparison")
shares, differences = compared["barriers"]
differences = analysis.name_units(differences, eds)
report.show_country_comparison(shares, differences, "Barriers", labels)
report.show_sentences(report.cross_unit_sentence(differences, labels))
report.show_difference_matrices(differences, labels, "Barriers: differences")
hindered = analysis.battery_by_country(eds, "hindered", **options)
report.show_by_country(*hindered, "hindered", "Hindered the innovation (ranked)", labels)

# %% [markdown]
# ## Effects

# %%
effects = analysis.items_by_country(eds, analysis.battery_items("effects"), **options)
report.show_by_country(*effects, "effects", "Effects achieved, by country", labels)

# %% [markdown]
# ## Change since the previous round
#
# For each country whose edition differs between the previous round and this one, the change in
# the overview's headline indicators (independent samples; Holm over the countries' changes of
# one indicator).

# %%
changes = analysis.change_between_rounds(eds, previous_editions, headline["overview"], **options)
report.show_round_changes(changes, previous_round)

# %% [markdown]
# ## Beside the published figures
#
# Every published figure of these countries beside the package's estimate: national figures
# against their own edition, the Nordic comparison report's figures against each country's
# nearest edition before the report where this round compares it. Every figure outside its
# interval is named with the reason the sources give.

# %%
published = analysis.published_for_report(eds, **options)
report.show_published(
    published,
    any(e.synthetic for e in eds),
    plotted=published["set_against"] == "nearest earlier edition",
    none_text="No published figure can be set against an estimate of these editions.",
)
report.show_left_out(analysis.published_not_asked(eds), "the published figures")
report.show_sentences(*report.outside_sentences(analysis.outside_interval(published)))

# %% [markdown]
# ## Notes and caveats
#
# Differences between countries are differences between separate samples. Finland answers per
# organisation (municipality or joint authority), the others per workplace; Norway covers
# municipalities and counties only; Iceland selected services. Each edition's own caveats follow.

# %%
report.show_comparability(eds)

# %% tags=["key-findings"]
report.show_key_findings()
