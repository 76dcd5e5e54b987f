# %% [markdown]
# # The Nordic countries side by side
#
# The headline indicators of each theme for every country's edition, with intervals; the
# differences between countries, tested and adjusted for the number of tests; and every published
# figure beside the package's estimate. Read the comparability notes at the end first: the
# barometers differ in unit, coverage and wording.

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
# ## Overview

# %%
headline = analysis.headline_indicators("overview")
report.show_left_out(analysis.editions_not_asked(eds, headline), "this comparison")
shares, differences = analysis.country_differences(eds, headline, **options)
report.show_country_comparison(shares, differences, "Overview")

# %% [markdown]
# ## Collaboration

# %%
headline = analysis.headline_indicators("collaboration")
report.show_left_out(analysis.editions_not_asked(eds, headline), "this comparison")
shares, differences = analysis.country_differences(eds, headline, **options)
report.show_country_comparison(shares, differences, "Collaboration")

# %% [markdown]
# ## Diffusion

# %%
headline = analysis.headline_indicators("diffusion")
report.show_left_out(analysis.editions_not_asked(eds, headline), "this comparison")
shares, differences = analysis.country_differences(eds, headline, **options)
report.show_country_comparison(shares, differences, "Diffusion")

# %% [markdown]
# ## Drivers

# %%
headline = analysis.headline_indicators("drivers")
report.show_left_out(analysis.editions_not_asked(eds, headline), "this comparison")
shares, differences = analysis.country_differences(eds, headline, **options)
report.show_country_comparison(shares, differences, "Drivers")

# %% [markdown]
# ## Barriers

# %%
headline = analysis.headline_indicators("barriers")
report.show_left_out(analysis.editions_not_asked(eds, headline), "this comparison")
shares, differences = analysis.country_differences(eds, headline, **options)
report.show_country_comparison(shares, differences, "Barriers")

# %% [markdown]
# ## Beside the published figures
#
# Every published figure of these countries beside the package's estimate: national figures
# against their own edition, the Nordic comparison report's figures against each country's
# nearest edition up to the report's year.

# %%
published = analysis.published_for_report(eds, **options)
report.show_published(
    published,
    any(e.synthetic for e in eds),
    plotted=published["set_against"] == "nearest earlier edition",
    none_text="No published figure can be set against an estimate of these editions.",
)
report.show_left_out(analysis.published_not_asked(eds), "the published figures")

# %% [markdown]
# ## Notes and caveats
#
# Differences between countries are differences between separate samples. Finland answers per
# organisation (municipality or joint authority), the others per workplace; Norway covers
# municipalities and counties only; Iceland selected services. Each edition's own caveats follow.

# %%
report.show_comparability(eds)
