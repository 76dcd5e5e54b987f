# %% [markdown]
# # The Nordic countries side by side
#
# The headline indicators of each theme for every country's edition, with intervals; the
# differences between countries, tested and adjusted for the number of tests; and every published
# figure beside the package's estimate. Read the comparability notes at the end first: the
# barometers differ in unit, coverage and wording.

# %% tags=["parameters"]
editions = "latest"
threshold = 5
ci_method = "logit"

# %%
from innobarometer import analysis, report

eds, options = analysis.open_editions(editions, threshold, ci_method)
report.use_report_style()
report.show_nordic_front_matter(eds, ci_method, threshold)
headline = analysis.HEADLINE_INDICATORS

# %% [markdown]
# ## Overview

# %%
report.show_left_out(analysis.editions_not_asked(eds, headline["overview"]), "this comparison")
shares, differences = analysis.country_differences(eds, headline["overview"], **options)
report.show_country_comparison(shares, differences, "Overview")

# %% [markdown]
# ## Collaboration

# %%
report.show_left_out(analysis.editions_not_asked(eds, headline["collaboration"]), "this comparison")
shares, differences = analysis.country_differences(eds, headline["collaboration"], **options)
report.show_country_comparison(shares, differences, "Collaboration")

# %% [markdown]
# ## Diffusion

# %%
report.show_left_out(analysis.editions_not_asked(eds, headline["diffusion"]), "this comparison")
shares, differences = analysis.country_differences(eds, headline["diffusion"], **options)
report.show_country_comparison(shares, differences, "Diffusion")

# %% [markdown]
# ## Drivers

# %%
report.show_left_out(analysis.editions_not_asked(eds, headline["drivers"]), "this comparison")
shares, differences = analysis.country_differences(eds, headline["drivers"], **options)
report.show_country_comparison(shares, differences, "Drivers")

# %% [markdown]
# ## Barriers

# %%
report.show_left_out(analysis.editions_not_asked(eds, headline["barriers"]), "this comparison")
shares, differences = analysis.country_differences(eds, headline["barriers"], **options)
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
