# %% [markdown]
# # Trends across a country's editions
#
# Every headline indicator of each theme across the country's editions, with intervals; the
# change between consecutive editions with its interval and test (independent samples, Holm over
# the changes of one indicator); and the comparability breaks the mappings record, which come
# first: a change across a break may be the questionnaire's, not the public sector's.

# %% tags=["parameters"]
country = "DK"
threshold = 5
ci_method = "logit"

# %% tags=["reads"]
# What this report reads, so that the build rebuilds it when any of it changes: every active
# edition of its country. Hidden in the report.
reads = ["country"]

# %%
from innobarometer import analysis, report

eds, options = analysis.open_country(country, threshold, ci_method)
report.use_report_style()
report.show_nordic_front_matter(eds, ci_method, threshold)
report.show_delivered(eds)  # which editions are a partner's tables, if any

# %% [markdown]
# ## Comparability breaks

# %%
report.show_breaks(analysis.comparability_breaks(eds))

# %% [markdown]
# ## Overview

# %%
headline = analysis.headline_indicators("overview")
report.show_left_out(analysis.editions_not_asked(eds, headline), "these trends")
shares, changes = analysis.country_trend(country, headline, **options)
report.show_trend(shares, changes, "Overview")

# %% [markdown]
# ## Collaboration

# %%
headline = analysis.headline_indicators("collaboration")
report.show_left_out(analysis.editions_not_asked(eds, headline), "these trends")
shares, changes = analysis.country_trend(country, headline, **options)
report.show_trend(shares, changes, "Collaboration")

# %% [markdown]
# ## Diffusion

# %%
headline = analysis.headline_indicators("diffusion")
report.show_left_out(analysis.editions_not_asked(eds, headline), "these trends")
shares, changes = analysis.country_trend(country, headline, **options)
report.show_trend(shares, changes, "Diffusion")

# %% [markdown]
# ## Drivers

# %%
headline = analysis.headline_indicators("drivers")
report.show_left_out(analysis.editions_not_asked(eds, headline), "these trends")
shares, changes = analysis.country_trend(country, headline, **options)
report.show_trend(shares, changes, "Drivers")

# %% [markdown]
# ## Barriers

# %%
headline = analysis.headline_indicators("barriers")
report.show_left_out(analysis.editions_not_asked(eds, headline), "these trends")
shares, changes = analysis.country_trend(country, headline, **options)
report.show_trend(shares, changes, "Barriers")

# %% [markdown]
# ## Notes and caveats
#
# Each edition is a separate sample; a change between editions is a difference between
# independent samples. Each edition's own caveats follow.

# %%
report.show_comparability(eds)
