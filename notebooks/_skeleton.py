# %% [markdown]
# # Theme title
#
# One sentence on what this theme asks. Replace this skeleton's placeholders; keep the shape:
# parameters, setup, one section per research question, notes and caveats.

# %% tags=["parameters"]
country = "DK"
edition = 2023
threshold = 5
ci_method = "logit"

# %% tags=["reads"]
# What this report reads, so that the build rebuilds it when any of it changes: "edition" (its
# own), and "country" too if it compares every edition of its country (`analysis.trend`).
reads = ["edition"]

# %%
from innobarometer import analysis, report

ed, options = analysis.open_report(country, edition, threshold, ci_method)
report.use_report_style()
report.show_front_matter(ed, "The question this theme answers.", ci_method, threshold)

# %% [markdown]
# ## First research question

# %%
report.show_not_asked(ed, ["innovative"])  # every variable this section needs
innovative = analysis.estimate_variable(ed, "innovative", by="gov_level", **options)
levels = analysis.category_labels("gov_level")
# Every pair of groups, tested with Holm's adjustment: a sentence calls a group highest or lowest
# only when these pairs say so.
level_pairs = analysis.group_pairs(ed, innovative, "gov_level", levels, "government levels")
report.show_sentences(
    report.share_sentence(innovative, "introduced an innovation", report.unit_noun(ed)),
    report.group_sentence(innovative, levels, "By government level", level_pairs),
)

# %%
report.show_estimates(
    innovative,
    "innovative_by_gov_level",
    "Innovative units by government level",
    group_labels=levels,
    colours=report.COUNTRY_COLOURS[ed.country],
)
report.show_pairs(level_pairs, "innovative_gov_level_pairs")

# %% [markdown]
# ## Beside the published figures

# %%
report.show_theme_published(ed, "{{theme}}", **options)

# %% [markdown]
# ## Notes and caveats

# %%
report.show_caveats(ed)

# %% tags=["key-findings"]
# The report's key findings: tested sentences from the sections above, which the export shows
# at the top of the page.
report.show_key_findings()
