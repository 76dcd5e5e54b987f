# %% [markdown]
# # The Nordic countries side by side
#
# One round of the barometers (`data/rounds.yaml`): the headline indicators of each theme for
# every country's edition, with intervals; novelty as own idea, adapted or copied; the differences
# between countries, tested and adjusted for the number of tests; and every published figure
# beside the package's estimate. The barometers differ in unit, coverage and wording: the box
# below says how before any finding.

# %% tags=["parameters"]
editions = "latest"
round = "latest"  # the round's name in data/rounds.yaml (the build passes it)
lacking = []  # the round's editions that are not in the active data set
threshold = 5
ci_method = "logit"

# %% tags=["reads"]
# What this report reads, so that the build rebuilds it when any of it changes: the editions it
# compares, and every edition of their countries (published figures are set against the edition
# they belong to). Hidden in the report.
reads = ["editions", "countries"]

# %%
from innobarometer import analysis, report

eds, options = analysis.open_editions(editions, threshold, ci_method)
report.use_report_style()
report.show_round(round, eds, lacking)
report.show_nordic_front_matter(eds, ci_method, threshold)

# %% [markdown]
# ## Compare with care

# %%
labels = analysis.country_labels(eds)
report.show_comparability_box(analysis.comparability_facts(eds))

# %% [markdown]
# ## Overview

# %%
headline = analysis.headline_indicators("overview")
report.show_left_out(analysis.editions_not_asked(eds, headline), "this comparison")
shares, differences = analysis.country_differences(eds, headline, **options)
figure, beside = analysis.nordic_share(eds, **options)
report.show_sentences(report.nordic_figure_sentence(figure, beside, labels))
differences = analysis.name_units(differences, eds)
report.show_country_comparison(shares, differences, "Overview", labels)

# %% [markdown]
# ## Novelty: own idea, adapted or copied
#
# Each innovator's latest innovation: first developed here, inspired by others and adapted, or
# largely a copy. A country is named only where it differs from every other, after Holm.

# %%
report.show_left_out(analysis.editions_not_asked(eds, ["novelty"]), "this comparison")
novelty, novelty_differences = analysis.category_by_country(eds, "novelty", **options)
leaders = {c: analysis.leader(novelty, novelty_differences, c) for c in ("1", "2", "3")}
report.show_sentences(*report.novelty_sentences(novelty, novelty_differences, labels, leaders))
report.show_estimates(
    novelty,
    "novelty_by_country",
    "Novelty by country",
    group_labels=labels,
    colours=report.COUNTRY_COLOURS,
)
report.show_differences(
    novelty_differences, "novelty_differences", "Differences between countries", figure=False
)

# %% [markdown]
# ## Collaboration

# %%
headline = analysis.headline_indicators("collaboration")
report.show_left_out(analysis.editions_not_asked(eds, headline), "this comparison")
shares, differences = analysis.country_differences(eds, headline, **options)
differences = analysis.name_units(differences, eds)
report.show_country_comparison(shares, differences, "Collaboration", labels)

# %% [markdown]
# ## Diffusion

# %%
headline = analysis.headline_indicators("diffusion")
report.show_left_out(analysis.editions_not_asked(eds, headline), "this comparison")
shares, differences = analysis.country_differences(eds, headline, **options)
differences = analysis.name_units(differences, eds)
report.show_country_comparison(shares, differences, "Diffusion", labels)

# %% [markdown]
# ## Drivers

# %%
headline = analysis.headline_indicators("drivers")
report.show_left_out(analysis.editions_not_asked(eds, headline), "this comparison")
shares, differences = analysis.country_differences(eds, headline, **options)
differences = analysis.name_units(differences, eds)
report.show_country_comparison(shares, differences, "Drivers", labels)

# %% [markdown]
# ## Barriers

# %%
headline = analysis.headline_indicators("barriers")
report.show_left_out(analysis.editions_not_asked(eds, headline), "this comparison")
shares, differences = analysis.country_differences(eds, headline, **options)
differences = analysis.name_units(differences, eds)
report.show_country_comparison(shares, differences, "Barriers", labels)

# %% [markdown]
# ## Beside the published figures
#
# Every published figure of these countries beside the package's estimate: national figures
# against their own edition, the Nordic comparison report's (2019) figures against each
# country's nearest edition up to 2019 where this round compares it. Every figure outside its
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
