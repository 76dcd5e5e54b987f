"""The synthetic demo data: a documented generative model of public workplaces per edition.

No microdata of the barometers is public, so the demo is drawn from a model (docs/synthetic.md):
a population frame of strata (government level x sector x size class) with counts, a stratified
sample, non-response that differs by stratum, weights = stratum population / respondents, and
answers from latent workplace propensities. Each item's codes are cut from its latent score at
weighted quantiles, so the weighted shares equal their targets (published figures of
`reference/headline_figures.csv`, else the assumptions in `ASSUMED_SHARES`) while who answers what,
and so every relationship between items, comes from the latent model. Same seed, same bytes.
"""

from __future__ import annotations

import functools
import hashlib
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from innobarometer.codebook import countries, load_codebook, universe_mask
from innobarometer.indicators import (
    indicator_values,
    load_indicators,
    published_figures,
    scope_mask,
)
from innobarometer.survey.design import SurveyDesign

SEED = 20240611
SIZE_CLASSES = ("1-9", "10-49", "50-99", "100+")
LATENTS = ("drive", "openness", "formality", "pressure", "originality", "evaluating", "tech")
# Don't know (8) per item kind, and not relevant (9) for batteries, as shares of the universe.
DONT_KNOW = 0.03
NOT_RELEVANT = {
    "factor_private_firms": 0.15,
    "factor_voluntary_associations": 0.25,
    "factor_politicians": 0.08,
    "factor_citizens": 0.05,
}
DEFAULT_NOT_RELEVANT = 0.03


@dataclass(frozen=True)
class EditionPlan:
    """The sampling facts of one edition: published where `survey_facts.csv` gives them."""

    country: str
    edition: int
    unit_level: str
    respondents: int
    response_rate: float
    census: bool
    population: dict  # gov_level -> number of units in the population frame
    sectors: dict  # gov_level -> sector -> share of that level's units
    assumed: str  # which of the facts above are assumptions

    @property
    def edition_id(self) -> str:
        return f"{self.country}-{self.edition}"


_DK_SECTORS = {
    "state": {
        "administration": 0.35,
        "education": 0.15,
        "justice_police": 0.25,
        "culture_leisure": 0.10,
        "other": 0.15,
    },
    "regional": {"health": 0.55, "social_services": 0.30, "administration": 0.15},
    "municipal": {
        "education": 0.13,
        "day_care": 0.30,
        "elder_disability_care": 0.20,
        "social_services": 0.12,
        "culture_leisure": 0.10,
        "technical_environment": 0.08,
        "administration": 0.04,
        "health": 0.03,
    },
}
_NO_SECTORS_2018 = {
    "regional": {"education": 0.8, "health": 0.2},
    "municipal": {
        "education": 0.25,
        "day_care": 0.35,
        "elder_disability_care": 0.28,
        "health": 0.12,
    },
}
_NO_SECTORS_2020 = {
    "regional": {
        "education": 0.6,
        "health": 0.12,
        "culture_leisure": 0.12,
        "technical_environment": 0.16,
    },
    "municipal": {
        "education": 0.17,
        "day_care": 0.25,
        "elder_disability_care": 0.20,
        "health": 0.08,
        "social_services": 0.12,
        "culture_leisure": 0.09,
        "technical_environment": 0.09,
    },
}
_SE_SECTORS = {
    "state": {
        "administration": 0.45,
        "education": 0.15,
        "justice_police": 0.20,
        "culture_leisure": 0.10,
        "other": 0.10,
    },
    "regional": {
        "health": 0.70,
        "technical_environment": 0.10,
        "culture_leisure": 0.05,
        "administration": 0.15,
    },
    "municipal": _DK_SECTORS["municipal"],
}
# Finland: one unit per municipality (sector administration: the municipal organisation as a
# whole) or joint municipal authority (hospital districts, education consortia, other).
_FI_SECTORS = {
    "municipal": {"administration": 0.66, "health": 0.13, "education": 0.08, "other": 0.13}
}
_IS_SECTORS = {
    "state": {
        "administration": 0.40,
        "education": 0.15,
        "health": 0.20,
        "justice_police": 0.15,
        "culture_leisure": 0.10,
    },
    "municipal": {
        "education": 0.25,
        "day_care": 0.30,
        "elder_disability_care": 0.10,
        "social_services": 0.10,
        "culture_leisure": 0.15,
        "technical_environment": 0.10,
    },
}
# Share of a sector's units per size class (1-9, 10-49, 50-99, 100+ employees): an assumption.
SIZE_PROFILES = {
    "administration": (0.25, 0.45, 0.15, 0.15),
    "education": (0.05, 0.45, 0.30, 0.20),
    "day_care": (0.15, 0.75, 0.09, 0.01),
    "health": (0.10, 0.40, 0.20, 0.30),
    "elder_disability_care": (0.10, 0.55, 0.25, 0.10),
    "social_services": (0.30, 0.55, 0.10, 0.05),
    "culture_leisure": (0.45, 0.45, 0.07, 0.03),
    "technical_environment": (0.30, 0.50, 0.12, 0.08),
    "justice_police": (0.20, 0.50, 0.15, 0.15),
    "other": (0.35, 0.45, 0.12, 0.08),
}
FI_SIZE_PROFILES = {
    "administration": (0.0, 0.02, 0.12, 0.86),
    "health": (0.0, 0.0, 0.15, 0.85),
    "education": (0.0, 0.0, 0.25, 0.75),
    "other": (0.15, 0.55, 0.20, 0.10),
}

EDITIONS = {
    (p.country, p.edition): p
    for p in (
        EditionPlan("DK", 2015, "workplace", 1255, 0.35, False,
                    {"state": 2000, "regional": 1300, "municipal": 12600}, _DK_SECTORS,
                    "population counts"),
        EditionPlan("DK", 2017, "workplace", 2363, 0.50, False,
                    {"state": 1900, "regional": 1250, "municipal": 12300}, _DK_SECTORS,
                    "population counts"),
        EditionPlan("DK", 2020, "workplace", 2271, 0.50, False,
                    {"state": 1800, "regional": 1200, "municipal": 12000}, _DK_SECTORS,
                    "population counts"),
        EditionPlan("DK", 2023, "workplace", 1611, 0.36, False,
                    {"state": 1700, "regional": 1100, "municipal": 11497}, _DK_SECTORS,
                    "split of the published 14,297 workplaces by level"),
        EditionPlan("NO", 2018, "workplace", 1786, 0.40, False,
                    {"regional": 600, "municipal": 7200}, _NO_SECTORS_2018,
                    "population counts, response rate 40%"),
        EditionPlan("NO", 2020, "workplace", 2300, 0.38, False,
                    {"regional": 800, "municipal": 10500}, _NO_SECTORS_2020,
                    "respondents 2,300, population counts, response rate 38%"),
        EditionPlan("NO", 2024, "workplace", 1900, 0.33, False,
                    {"regional": 700, "municipal": 10000}, _NO_SECTORS_2020,
                    "respondents 1,900, population counts, response rate 33%"),
        EditionPlan("SE", 2018, "workplace", 1800, 0.34, False,
                    {"state": 3500, "regional": 3000, "municipal": 31500}, _SE_SECTORS,
                    "split of the published 38,000 workplaces; 1,800 respondents of 5,300"),
        EditionPlan("FI", 2018, "organisation", 170, 0.36, True,
                    {"municipal": 471}, _FI_SECTORS,
                    "respondents 170 (311 municipalities and 160 joint authorities, census)"),
        EditionPlan("FI", 2022, "organisation", 195, 0.39, True,
                    {"municipal": 459}, _FI_SECTORS,
                    "population 309 municipalities and 150 joint authorities, census"),
        EditionPlan("IS", 2018, "workplace", 272, 0.36, False,
                    {"state": 180, "municipal": 700}, _IS_SECTORS,
                    "population counts; state units respond 2.2 times as often as municipal"),
        EditionPlan("IS", 2021, "workplace", 290, 0.36, False,
                    {"state": 180, "municipal": 720}, _IS_SECTORS,
                    "respondents 290, population counts, response rate 36%"),
    )
}  # fmt: skip

# Latent effects of the background on the innovation drive (an assumption: larger units and
# state and regional units innovate somewhat more, as the Danish figures by level show).
SIZE_DRIVE = dict(zip(SIZE_CLASSES, (-0.35, -0.05, 0.15, 0.3)))
GOV_DRIVE = {"state": 0.15, "regional": 0.2, "municipal": 0.0}
SIZE_RESPONSE = dict(zip(SIZE_CLASSES, (0.8, 1.0, 1.1, 1.2)))
GOV_RESPONSE = {"IS": {"state": 2.2}}
MIN_STRATUM_POPULATION = 4


@dataclass(frozen=True)
class Item:
    """How one codebook variable is drawn: its latent score and the constraints on its answers.

    `loadings`: latent -> coefficient of the score (per option for multiple response: option ->
    {latent: coefficient}); `noise`: sd of the item's own normal noise. Codes are cut from the
    score, highest score first in `order` (single, ordinal) or 1 before 0 (binary). Multiple
    response: at least `at_least`, at most `at_most` options per unit in the universe.
    """

    name: str
    loadings: dict
    noise: float = 1.0
    order: tuple = ()
    at_least: int = 0
    at_most: int = 99


def _same(loadings: dict, options) -> dict:
    return {option: loadings for option in options}


# Items in the order they are drawn (a universe comes before the items asked within it).
ITEMS = (
    Item("innovative", {"drive": 1.0}, 0.6),
    Item("introduced", _same({"drive": 0.4}, ("product", "service", "process", "communication")),
         at_least=1),
    Item("ongoing_development", {"drive": 0.8}),
    Item("innovation_type", _same({}, ("product", "service", "process", "communication")),
         at_least=1),
    Item("novelty", {"originality": 1.0}, 0.0, order=(1, 2, 3)),
    Item("break_with_practice", {"originality": 0.6, "drive": 0.3}, 1.0, order=(2, 1)),
    Item("inspiration", {
        "professional_network": {"openness": 0.4}, "other_workplaces": {"openness": 0.4},
        "conferences": {"openness": 0.3}, "media": {}, "users": {"openness": 0.3},
        "private_firms": {"openness": 0.3, "tech": 0.4}, "research": {"formality": 0.4},
        "other": {},
    }, at_least=1),
    Item("initiator", {
        "employees": {"drive": 0.6}, "own_manager": {"formality": 0.3},
        "political_leadership": {"formality": 0.4}, "economic_pressure": {"pressure": 0.9},
        "citizens": {"openness": 0.5}, "legislation": {"formality": 0.6},
        "private_firms": {"openness": 0.3, "tech": 0.5}, "foundations": {"openness": 0.3},
        "other_countries": {"openness": 0.4}, "other": {},
    }, at_least=1, at_most=3),
    Item("partner", {
        "own_organisation": {"formality": 0.3}, "public_same_sector": {"openness": 0.4},
        "public_other_sector": {"openness": 0.4}, "private_firms": {"tech": 0.6},
        "citizens": {"openness": 0.5}, "knowledge_institutions": {"formality": 0.4},
        "voluntary": {"openness": 0.4}, "foundations": {"openness": 0.3},
        "foreign": {"openness": 0.5},
    }, at_least=1),
    Item("collaboration_phase", _same({"openness": 0.2},
         ("idea", "development", "implementation", "spreading")), at_least=1),
    Item("financing", {
        "own_budget": {"openness": -0.4}, "external_funds": {"openness": 0.4, "formality": 0.3},
        "foundations": {"openness": 0.4}, "other": {},
    }, at_least=1),
    Item("factor_employee_participation", {"drive": 0.7}, order=(1, 2, 3, 4, 5)),
    Item("factor_management_support", {"drive": 0.6}, order=(1, 2, 3, 4, 5)),
    Item("factor_cross_workplace_collaboration", {"openness": 0.7}, order=(1, 2, 3, 4, 5)),
    Item("factor_safe_operation_focus", {"formality": -0.4}, order=(1, 2, 3, 4, 5)),
    Item("factor_limited_economic_resources", {"pressure": -0.9}, order=(1, 2, 3, 4, 5)),
    Item("factor_lack_of_time", {"pressure": -0.7}, order=(1, 2, 3, 4, 5)),
    Item("factor_rules_legislation", {"formality": -0.4}, order=(1, 2, 3, 4, 5)),
    Item("factor_politicians", {"formality": 0.3}, order=(1, 2, 3, 4, 5)),
    Item("factor_citizens", {"openness": 0.5}, order=(1, 2, 3, 4, 5)),
    Item("factor_private_firms", {"tech": 0.5}, order=(1, 2, 3, 4, 5)),
    Item("factor_voluntary_associations", {"openness": 0.4}, order=(1, 2, 3, 4, 5)),
    Item("factor_new_technology", {"tech": 0.8}, order=(1, 2, 3, 4, 5)),
    Item("factor_risk_aversion", {"drive": 0.4}, order=(1, 2, 3, 4, 5)),
    Item("factor_user_involvement", {"openness": 0.6}, order=(1, 2, 3, 4, 5)),
    Item("effect_quality", {"drive": 0.4, "evaluating": 0.3}),
    Item("effect_efficiency", {"pressure": 0.4, "evaluating": 0.3}),
    Item("effect_citizen_involvement", {"openness": 0.6}),
    Item("effect_employee_satisfaction", {"drive": 0.5}),
    Item("effect_political_goals", {"formality": 0.5}),
    Item("evaluation", {"evaluating": 1.0}, 0.0, order=(1, 2, 3, 4, 5)),
    # Why copiers spread less and evaluated innovations are shared more: the diffusion score
    # rises with the originality and the evaluation latents that cut novelty and evaluation.
    Item("spread_actively", {"originality": 0.5, "evaluating": 0.5, "drive": 0.3}),
    Item("technology", {"tech": 1.0}, 0.0, order=(1, 2, 3, 4)),
    Item("culture_welcomed", {"drive": 0.8}, order=(1, 2, 3, 4, 5)),
    Item("culture_mistakes_accepted", {"drive": 0.6}, order=(1, 2, 3, 4, 5)),
    Item("culture_time_for_development", {"drive": 0.5, "pressure": -0.4}, order=(1, 2, 3, 4, 5)),
    Item("culture_management_encourages", {"drive": 0.7}, order=(1, 2, 3, 4, 5)),
)  # fmt: skip
ITEM_BY_NAME = {item.name: item for item in ITEMS}
# The collaboration rate: the share of innovators with at least one partner. The partner item is
# drawn in two steps (collaborates or not, then which partners), so its share is a parameter.
COLLABORATES = "collaborates"

# Every share the model needs that no published figure gives: (variable, code or option,
# countries, value, why). Single and ordinal rows of a variable sum to 1 over the substantive
# codes; multiple-response rows are the share of the universe ticking the option; binary rows the
# share answering yes. Countries "*" = every edition unless a later row for the country overrides.
ASSUMED_SHARES = pd.DataFrame(
    [
        ("innovative", 1, "*", 0.78, "start of the search where a figure exists (Nordic 2019)"),
        ("innovative", 1, "DK", 0.80, "DK 2015, 2017: round 2's regional 80 (DK-20), Nordic 80"),
        ("innovative", 1, "NO", 0.75, "NO 2024: as 2018 and 2020 (74)"),
        ("introduced", "product", "*", 0.25, "share of innovators"),
        ("introduced", "service", "*", 0.72, "services the most common type"),
        ("introduced", "process", "*", 0.62, ""),
        ("introduced", "communication", "*", 0.38, ""),
        ("ongoing_development", 1, "*", 0.35, "share of non-innovators"),
        ("innovation_type", "product", "*", 0.12, "about half combine types"),
        ("innovation_type", "service", "*", 0.55, ""),
        ("innovation_type", "process", "*", 0.48, ""),
        ("innovation_type", "communication", "*", 0.22, ""),
        ("novelty", 1, "*", 0.30, "own / adapted / copied; DK 2015's 73 reused fixes own"),
        ("novelty", 2, "*", 0.52, ""),
        ("novelty", 3, "*", 0.18, ""),
        ("novelty", 1, "NO", 0.24, "Norway copies most (Nordic report)"),
        ("novelty", 2, "NO", 0.42, ""),
        ("novelty", 3, "NO", 0.34, ""),
        ("novelty", 1, "SE", 0.18, "Sweden adapts most (Nordic report)"),
        ("novelty", 2, "SE", 0.70, ""),
        ("novelty", 3, "SE", 0.12, ""),
        ("novelty", 1, "FI", 0.36, ""),
        ("novelty", 2, "FI", 0.50, ""),
        ("novelty", 3, "FI", 0.14, ""),
        ("break_with_practice", 1, "*", 0.70, "DK 2020: 3 of 10 a wholly new approach"),
        ("break_with_practice", 2, "*", 0.30, ""),
        ("inspiration", "professional_network", "*", 0.60, "professional networks most common"),
        ("inspiration", "other_workplaces", "*", 0.45, ""),
        ("inspiration", "conferences", "*", 0.25, ""),
        ("inspiration", "media", "*", 0.18, ""),
        ("inspiration", "users", "*", 0.18, ""),
        ("inspiration", "private_firms", "*", 0.14, ""),
        ("inspiration", "research", "*", 0.12, ""),
        ("inspiration", "other", "*", 0.05, ""),
        ("initiator", "employees", "*", 0.58, "employees the most common initiator"),
        ("initiator", "own_manager", "*", 0.40, ""),
        ("initiator", "political_leadership", "*", 0.14, ""),
        ("initiator", "economic_pressure", "*", 0.15, ""),
        ("initiator", "citizens", "*", 0.18, ""),
        ("initiator", "legislation", "*", 0.15, ""),
        ("initiator", "private_firms", "*", 0.03, ""),
        ("initiator", "foundations", "*", 0.02, ""),
        ("initiator", "other_countries", "*", 0.02, ""),
        ("initiator", "other", "*", 0.05, ""),
        ("partner", COLLABORATES, "*", 0.80, "about 4 in 5 innovations collaborate (DK 2015: 79)"),
        ("partner", COLLABORATES, "FI", 0.95, "municipal organisations as a whole collaborate"),
        ("partner", "own_organisation", "*", 0.52, "share of innovators"),
        ("partner", "public_same_sector", "*", 0.15, ""),
        ("partner", "public_other_sector", "*", 0.07, ""),
        ("partner", "private_firms", "*", 0.20, ""),
        ("partner", "citizens", "*", 0.40, ""),
        ("partner", "knowledge_institutions", "*", 0.18, ""),
        ("partner", "voluntary", "*", 0.10, ""),
        ("partner", "foundations", "*", 0.03, ""),
        ("partner", "foreign", "*", 0.03, ""),
        ("partner", "public_other_sector", "FI", 0.20, ""),
        ("partner", "citizens", "FI", 0.50, ""),
        ("partner", "knowledge_institutions", "FI", 0.45, ""),
        ("collaboration_phase", "idea", "*", 0.60, "share of collaborators"),
        ("collaboration_phase", "development", "*", 0.75, ""),
        ("collaboration_phase", "implementation", "*", 0.65, ""),
        ("collaboration_phase", "spreading", "*", 0.25, ""),
        ("financing", "own_budget", "*", 0.90, "IS 2021: 92"),
        ("financing", "external_funds", "*", 0.14, ""),
        ("financing", "foundations", "*", 0.05, ""),
        ("financing", "other", "*", 0.04, ""),
        *[
            (f"factor_{name}", code, "*", share, note if code == 1 else "")
            for name, shares, note in (
                ("employee_participation", (0.55, 0.35, 0.03, 0.05, 0.02), "DK 2023: 90/7"),
                ("management_support", (0.50, 0.35, 0.08, 0.05, 0.02), ""),
                ("cross_workplace_collaboration", (0.40, 0.42, 0.10, 0.06, 0.02), "DK 2023: 82/8"),
                ("safe_operation_focus", (0.10, 0.25, 0.40, 0.18, 0.07), ""),
                ("limited_economic_resources", (0.05, 0.10, 0.35, 0.35, 0.15),
                 "the most common barrier: hindered 50%"),
                ("lack_of_time", (0.03, 0.10, 0.45, 0.30, 0.12), "second barrier: hindered 42%"),
                ("rules_legislation", (0.05, 0.15, 0.50, 0.20, 0.10), ""),
                ("politicians", (0.20, 0.30, 0.38, 0.08, 0.04), ""),
                ("citizens", (0.20, 0.35, 0.38, 0.05, 0.02), ""),
                ("private_firms", (0.10, 0.20, 0.62, 0.05, 0.03), ""),
                ("voluntary_associations", (0.05, 0.15, 0.75, 0.03, 0.02), ""),
                ("new_technology", (0.25, 0.35, 0.30, 0.07, 0.03), ""),
                ("risk_aversion", (0.03, 0.07, 0.55, 0.25, 0.10), ""),
                ("user_involvement", (0.30, 0.40, 0.25, 0.04, 0.01), ""),
            )
            for code, share in zip((1, 2, 3, 4, 5), shares)
        ],
        ("effect_quality", 1, "*", 0.72, "quality the most common effect"),
        ("effect_efficiency", 1, "*", 0.50, ""),
        ("effect_citizen_involvement", 1, "*", 0.30, ""),
        ("effect_employee_satisfaction", 1, "*", 0.48, ""),
        ("effect_political_goals", 1, "*", 0.35, ""),
        *[
            ("evaluation", code, "*", share, "internal / external / ongoing / planned / not"
             if code == 1 else "")
            for code, share in zip((1, 2, 3, 4, 5), (0.33, 0.09, 0.17, 0.24, 0.17))
        ],
        *[
            ("evaluation", code, "DK", share, "DK 2023 (DK-32 note): 32/7/18/30/13"
             if code == 1 else "")
            for code, share in zip((1, 2, 3, 4, 5), (0.32, 0.07, 0.18, 0.30, 0.13))
        ],
        ("spread_actively", 1, "*", 0.50, "DK 2015: more than every second"),
        *[
            ("technology", code, "*", share, "DK 2023 (DK-26b) for every edition" if code == 1
             else "")
            for code, share in zip((1, 2, 3, 4), (0.11, 0.26, 0.36, 0.27))
        ],
        *[
            (f"culture_{name}", code, "*", share, "")
            for name, shares in (
                ("welcomed", (0.40, 0.40, 0.12, 0.06, 0.02)),
                ("mistakes_accepted", (0.25, 0.40, 0.20, 0.10, 0.05)),
                ("time_for_development", (0.10, 0.30, 0.25, 0.25, 0.10)),
                ("management_encourages", (0.35, 0.40, 0.15, 0.07, 0.03)),
            )
            for code, share in zip((1, 2, 3, 4, 5), shares)
        ],
    ],
    columns=["variable", "code", "country", "share", "note"],
)  # fmt: skip

# Which share a published figure moves (variable, codes or options): the last item drawn among
# the indicator's conditions, so the items drawn before it stay as they are.
LEVERS = {
    "innovative": ("innovative", (1,)),
    "collaborated_any": ("partner", (COLLABORATES,)),
    "collaborated_outside_workplace": ("partner", (COLLABORATES,)),
    "partner_own_organisation": ("partner", ("own_organisation",)),
    "partner_other_public": ("partner", ("public_same_sector",)),
    "partner_private_firms": ("partner", ("private_firms",)),
    "partner_citizens": ("partner", ("citizens",)),
    "partner_knowledge_institutions": ("partner", ("knowledge_institutions",)),
    "partner_voluntary": ("partner", ("voluntary",)),
    "citizens_any_role": ("partner", ("citizens",)),
    "private_firms_any_role": ("partner", ("private_firms",)),
    "novelty_reused": ("novelty", (2, 3)),
    "new_approach": ("break_with_practice", (2,)),
    "initiator_own_manager": ("initiator", ("own_manager",)),
    "initiator_political_leadership": ("initiator", ("political_leadership",)),
    "initiator_economic_pressure": ("initiator", ("economic_pressure",)),
    "initiator_private_firms": ("initiator", ("private_firms",)),
    "employees_key_role": ("factor_employee_participation", (1,)),
    "politicians_initiated_or_promoted": ("factor_politicians", (1, 2)),
    "promoted_by_employee_participation": ("factor_employee_participation", (1, 2)),
    "hindered_by_employee_participation": ("factor_employee_participation", (4, 5)),
    "promoted_by_cross_workplace_collaboration": ("factor_cross_workplace_collaboration", (1, 2)),
    "hindered_by_cross_workplace_collaboration": ("factor_cross_workplace_collaboration", (4, 5)),
    "limited_economy_played_a_role": ("factor_limited_economic_resources", (1, 2, 4, 5)),
    "effect_quality": ("effect_quality", (1,)),
    "effect_efficiency": ("effect_efficiency", (1,)),
    "effect_employee_satisfaction": ("effect_employee_satisfaction", (1,)),
    "effect_citizen_insight": ("effect_citizen_involvement", (1,)),
    "evaluated": ("evaluation", (1, 2)),
    "spread_actively": ("spread_actively", (1,)),
    "externally_financed": ("financing", ("external_funds",)),
    "financed_own_budget": ("financing", ("own_budget",)),
    "technology_is_the_solution": ("technology", (1,)),
    "technology_important_part": ("technology", (2,)),
    "technology_none": ("technology", (4,)),
}
# A figure counts as met within 0.1 percentage point (one unit's weight can move a share by
# more in small editions); the search stops there or when its bracket is narrower than 1e-4.
CALIBRATION_TOLERANCE = 0.001


def _rng(seed: int, *keys: int) -> np.random.Generator:
    """An independent generator per (seed, country, edition, purpose): stable under reordering."""
    return np.random.default_rng([seed, *keys])


def _key(country: str, edition: int) -> tuple[int, int]:
    return countries().index(country), edition


# --- population frame, sample, non-response, weights ---------------------------------------------


def population_strata(country: str, edition: int, seed: int = SEED) -> pd.DataFrame:
    """The population frame's strata: gov_level, sector, size_class, population, response rate."""
    plan = EDITIONS[(country, edition)]
    profiles = FI_SIZE_PROFILES if country == "FI" else SIZE_PROFILES
    rows = [
        (gov, sector, size, total * share * profiles[sector][i])
        for gov, total in plan.population.items()
        for sector, share in plan.sectors[gov].items()
        for i, size in enumerate(SIZE_CLASSES)
    ]
    strata = pd.DataFrame(rows, columns=["gov_level", "sector", "size_class", "expected"])
    rng = _rng(seed, *_key(country, edition), 1)
    # Real frames are lumpy: each stratum's count varies around its expected size.
    jitter = rng.lognormal(0.0, 0.15, len(strata))
    strata["population"] = np.round(strata["expected"] * jitter).astype(np.int64)
    strata = strata[strata["population"] >= MIN_STRATUM_POPULATION].reset_index(drop=True)
    gov_factor = strata["gov_level"].map(GOV_RESPONSE.get(country, {})).fillna(1.0)
    size_factor = strata["size_class"].map(SIZE_RESPONSE)
    propensity = gov_factor * size_factor * rng.lognormal(0.0, 0.25, len(strata))
    # Scale so the population-weighted mean response rate is the edition's.
    mean = (propensity * strata["population"]).sum() / strata["population"].sum()
    strata["response_rate"] = np.clip(propensity * plan.response_rate / mean, 0.05, 0.95)
    strata["stratum"] = strata["gov_level"] + ":" + strata["sector"] + ":" + strata["size_class"]
    return strata.drop(columns="expected")


def _allocate_sample(strata: pd.DataFrame, plan: EditionPlan) -> np.ndarray:
    """Sampled units per stratum: all of them in a census, else a power allocation N^0.7."""
    population = strata["population"].to_numpy()
    if plan.census:
        return population
    total = plan.respondents / plan.response_rate
    # Enough sampled units that two respond even where few answer.
    floor = np.minimum(population, np.ceil(2.5 / strata["response_rate"].to_numpy()) + 2)
    size = population**0.7
    sample = np.clip(np.round(total * size / size.sum()), floor, population)
    return sample.astype(np.int64)


def draw_respondents(country: str, edition: int, seed: int = SEED) -> pd.DataFrame:
    """One row per respondent with its stratum, population count and weight.

    Each sampled unit gets a uniform draw u; it responds in order of u / response rate (so the
    response rate differs by stratum), the two first of every stratum always, until the
    edition's number of respondents is reached. Weight = stratum population / respondents.
    """
    plan = EDITIONS[(country, edition)]
    strata = population_strata(country, edition, seed)
    sampled = _allocate_sample(strata, plan)
    if 2 * len(strata) > plan.respondents or sampled.sum() < plan.respondents:
        raise ValueError(f"{plan.edition_id}: the sample cannot give {plan.respondents} responses")
    stratum_of = np.repeat(np.arange(len(strata)), sampled)
    rng = _rng(seed, *_key(country, edition), 2)
    key = rng.random(len(stratum_of)) / strata["response_rate"].to_numpy()[stratum_of]
    order = np.lexsort((key, stratum_of))
    rank_in_stratum = np.empty_like(order)
    starts = np.r_[0, np.cumsum(sampled)[:-1]]
    rank_in_stratum[order] = np.arange(len(order)) - np.repeat(starts, sampled)
    forced = rank_in_stratum < 2
    rest = np.flatnonzero(~forced)
    chosen = rest[np.argsort(key[rest], kind="stable")[: plan.respondents - forced.sum()]]
    responds = forced.copy()
    responds[chosen] = True
    units = strata.iloc[stratum_of[responds]].reset_index(drop=True)
    respondents = units.groupby("stratum", sort=False)["stratum"].transform("size")
    units["stratum_population"] = units["population"].astype(float)
    units["weight"] = units["population"] / respondents
    units["sampled"] = sampled[stratum_of[responds]]
    return units.drop(columns=["population"])


# --- latent propensities and the cut of codes ----------------------------------------------------


def _latents(units: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Per unit latent scores; drive depends on size, level and a shared stratum effect."""
    n = len(units)
    base = pd.DataFrame(rng.standard_normal((n, len(LATENTS))), columns=list(LATENTS))
    _, stratum = np.unique(units["stratum"].to_numpy(), return_inverse=True)
    stratum_effect = rng.normal(0.0, 0.25, stratum.max() + 1)[stratum]
    base["drive"] += (
        units["size_class"].map(SIZE_DRIVE).to_numpy()
        + units["gov_level"].map(GOV_DRIVE).to_numpy()
        + stratum_effect
    )
    # Why: an original solution and a habit of evaluating both go with a driven workplace.
    base["originality"] = 0.4 * base["drive"] - 0.4 * base["openness"] + 0.8 * base["originality"]
    base["evaluating"] = 0.5 * base["formality"] + 0.3 * base["drive"] + 0.8 * base["evaluating"]
    base["tech"] = 0.3 * base["openness"] + 0.9 * base["tech"]
    return base


def _score(latents: pd.DataFrame, loadings: dict, noise: float, rng) -> np.ndarray:
    score = noise * rng.standard_normal(len(latents))
    for latent, coefficient in loadings.items():
        score = score + coefficient * latents[latent].to_numpy()
    return score


def _cut(score: np.ndarray, weight: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Index of the class per unit: the highest scores take the first class up to its share.

    Units are sorted by score; a unit's class is where the midpoint of its cumulative weight
    falls among the cumulative shares, so weighted shares match to within half a unit's weight.
    """
    order = np.argsort(-score, kind="stable")
    w = weight[order]
    midpoint = (np.cumsum(w) - w / 2) / w.sum()
    bounds = np.cumsum(shares)[:-1] / np.sum(shares)
    classes = np.empty(len(score), dtype=np.int64)
    classes[order] = np.searchsorted(bounds, midpoint, side="right")
    return classes


def _threshold(values: np.ndarray, weight: np.ndarray, share: float) -> float:
    """The cut t with the weighted share of values > t nearest to `share`."""
    order = np.argsort(-values, kind="stable")
    v, w = values[order], weight[order]
    midpoint = (np.cumsum(w) - w / 2) / w.sum()
    taken = int(np.searchsorted(midpoint, share, side="left"))
    if taken == 0:
        return v[0] + 1.0 if np.isfinite(v[0]) else 0.0
    if taken >= len(v):
        return v[-1] - 1.0 if np.isfinite(v[-1]) else -1e9
    low = v[taken] if np.isfinite(v[taken]) else v[taken - 1] - 1.0
    return (v[taken - 1] + low) / 2


def _select(scores, weight, shares, at_least=0, at_most=99, sweeps=60) -> np.ndarray:
    """Ticks (n, k) with each option's weighted share as given, under per-unit count limits.

    Option j is ticked when its margin s_j - t_j beats min(a-th best other margin, max(0, b-th
    best other margin)) (a = at_least, b = at_most), which is every unit's top-a options plus
    its options with a positive margin up to b. Each sweep sets every t_j to the weighted
    quantile of that comparison; a few sweeps settle all options together.
    """
    n, k = scores.shape
    t = np.zeros(k)
    for _ in range(sweeps):
        previous = t.copy()
        for j in range(k):
            margins = scores - t
            margins[:, j] = -np.inf
            ranked = -np.sort(-margins, axis=1)
            best_a = ranked[:, at_least - 1] if at_least > 0 else np.full(n, -np.inf)
            best_b = ranked[:, at_most - 1] if at_most <= k - 1 else np.full(n, -np.inf)
            bar = np.minimum(best_a, np.maximum(0.0, best_b))
            t[j] = _threshold(scores[:, j] - bar, weight, shares[j])
        if np.max(np.abs(t - previous)) < 1e-9:
            break
    margins = scores - t
    rank = np.argsort(np.argsort(-margins, axis=1, kind="stable"), axis=1, kind="stable")
    return (rank < at_least) | ((margins > 0) & (rank < at_most))


# --- one edition: answers item by item, calibrated as they are drawn ----------------------------


def assumed_shares(country: str, variable: str) -> dict:
    """The assumed shares of one item in one country (country rows replace the '*' rows)."""
    rows = ASSUMED_SHARES[ASSUMED_SHARES["variable"] == variable]
    own = rows[rows["country"] == country]
    chosen = own if len(own) else rows[rows["country"] == "*"]
    shares = dict(zip(chosen["code"], chosen["share"]))
    if variable == "partner" and COLLABORATES not in shares:
        common = rows[(rows["country"] == "*") & (rows["code"] == COLLABORATES)]
        shares[COLLABORATES] = float(common["share"].iloc[0])
    if variable == "partner" and len(own):
        defaults = rows[rows["country"] == "*"]
        shares = {**dict(zip(defaults["code"], defaults["share"])), **shares}
    return shares


def _calibration_targets(country: str, edition: int) -> pd.DataFrame:
    """The edition's published figures with their lever; narrower scopes first."""
    figures = published_figures(country, edition)
    numeric = np.array([isinstance(e, int) for e in figures["edition"]], dtype=bool)
    figures = figures[numeric].copy()
    unknown = sorted(set(figures["indicator"]) - set(LEVERS))
    if unknown:
        raise KeyError(f"no lever in synthetic.LEVERS for published indicator(s) {unknown}")
    figures["lever"] = figures["indicator"].map(lambda name: LEVERS[name][0])
    # A figure over one scope (municipal, state) is met first on its own units; the figure over
    # every unit then moves only the units no narrower figure has claimed.
    indicators = load_indicators()
    whole = figures["scope"].map(lambda scope: not indicators.scope(scope).where)
    return figures.assign(_whole=whole).sort_values("_whole", kind="stable").drop(columns="_whole")


@dataclass
class _Group:
    """Units of one item that share one set of target shares (a scope of a published figure)."""

    mask: np.ndarray
    shares: dict
    fixed: set
    scope: str = "all"


class _Edition:
    """The state of one edition while its items are drawn and calibrated."""

    def __init__(self, country: str, edition: int, seed: int):
        self.country, self.edition, self.seed = country, edition, seed
        self.units = draw_respondents(country, edition, seed)
        self.weight = self.units["weight"].to_numpy()
        self.design = SurveyDesign.from_frame(self.units)
        self.latents = _latents(self.units, _rng(seed, *_key(country, edition), 3))
        self.columns: dict[str, np.ndarray] = {}
        self.codebook = load_codebook()

    def frame(self) -> pd.DataFrame:
        """The items drawn so far beside the background columns (codes as floats, NaN missing)."""
        return pd.concat([self.units, pd.DataFrame(self.columns, index=self.units.index)], axis=1)

    def rng(self, item_index: int, purpose: int) -> np.random.Generator:
        return _rng(self.seed, *_key(self.country, self.edition), 100 + item_index, purpose)

    def universe(self, name: str) -> np.ndarray:
        variable = self.codebook["innovative" if name == "introduced" else name]
        if name == "introduced":
            return np.ones(len(self.units), bool)
        return universe_mask(self.frame(), variable.universe)

    def estimate(self, indicator: str, scope: str) -> tuple[float, float]:
        """The weighted estimate of a published indicator over its scope, and its SE."""
        frame = self.frame()
        values = indicator_values(frame, indicator).to_numpy()
        base = ~np.isnan(values) & scope_mask(frame, scope)
        estimates, covariance = self.design.ratios(np.where(base, values, 0.0), base * 1.0)
        return float(estimates[0]), float(np.sqrt(covariance[0, 0]))


def _rescaled(shares: dict, codes: tuple, share: float, fixed: set) -> dict:
    """Shares with `codes` summing to `share`, free codes rescaled to the rest, fixed ones kept."""
    lever = [c for c in shares if c in codes]
    free = [c for c in shares if c not in codes and c not in fixed]
    rest = 1.0 - share - sum(shares[c] for c in fixed if c not in codes)
    new = dict(shares)
    lever_total = sum(shares[c] for c in lever)
    free_total = sum(shares[c] for c in free)
    for c in lever:
        new[c] = share * (shares[c] / lever_total if lever_total > 0 else 1 / len(lever))
    for c in free:
        new[c] = max(rest, 0.0) * (shares[c] / free_total if free_total > 0 else 1 / len(free))
    return new


class _Drawer:
    """Draws one item of an edition for a group of units from its latent scores and shares."""

    def __init__(self, state: _Edition, index: int, item: Item):
        self.state, self.index, self.item = state, index, item
        self.variable = state.codebook.variables.get(item.name)
        n = len(state.units)
        rng = state.rng(index, 1)
        if isinstance(next(iter(item.loadings.values()), None), dict) or item.name in (
            "introduced",
            "innovation_type",
        ):
            self.scores = np.column_stack(
                [_score(state.latents, load, item.noise, rng) for load in item.loadings.values()]
            )
        else:
            self.scores = _score(state.latents, item.loadings, item.noise, rng)
        self.collaborates = _score(state.latents, {"openness": 1.0}, 0.6, rng)
        self.non_substantive = state.rng(index, 2).random(n)

    def columns_of(self) -> list[str]:
        if self.item.name == "introduced":
            return [f"introduced_{o}" for o in self.item.loadings]
        if isinstance(self.scores, np.ndarray) and self.scores.ndim == 2:
            return [f"{self.item.name}_{o}" for o in self.item.loadings]
        return [self.item.name]

    def draw(self, group: _Group) -> None:
        """Write the item's codes for the group's units (NaN outside the universe)."""
        state, item = self.state, self.item
        universe = state.universe(item.name) & group.mask
        for column in self.columns_of():
            state.columns.setdefault(column, np.full(len(state.units), np.nan))
            state.columns[column][group.mask] = np.nan
        if not universe.any():
            return
        w = state.weight[universe]
        if item.name == "introduced":
            self._draw_introduced(group, universe)
        elif self.scores.ndim == 2:
            self._draw_multiple(group, universe, w)
        else:
            self._draw_coded(group, universe, w)

    def _non_substantive(self, universe: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Which units of the universe answer don't know (8) and not relevant (9)."""
        u = self.non_substantive[universe]
        if self.item.name == "innovative":
            return np.zeros(len(u), bool), np.zeros(len(u), bool)
        allows_9 = 9 in self.variable.non_substantive
        not_relevant = NOT_RELEVANT.get(self.item.name, DEFAULT_NOT_RELEVANT) if allows_9 else 0
        return u < DONT_KNOW, (u >= DONT_KNOW) & (u < DONT_KNOW + not_relevant)

    def _draw_coded(self, group: _Group, universe: np.ndarray, w: np.ndarray) -> None:
        dont_know, not_relevant = self._non_substantive(universe)
        answered = ~dont_know & ~not_relevant
        order = self.item.order or (1, 0)
        shares = np.array([group.shares.get(c, 0.0) for c in order])
        codes = np.full(universe.sum(), np.nan)
        classes = _cut(self.scores[universe][answered], w[answered], shares)
        codes[answered] = np.asarray(order, float)[classes]
        codes[dont_know], codes[not_relevant] = 8, 9
        self.state.columns[self.item.name][universe] = codes

    def _draw_multiple(self, group: _Group, universe: np.ndarray, w: np.ndarray) -> None:
        item, state = self.item, self.state
        options = list(item.loadings)
        scores = self.scores[universe]
        shares = np.array([group.shares.get(o, 0.0) for o in options])
        ticks = np.zeros(scores.shape, bool)
        takes_part = np.ones(len(scores), bool)
        if item.name == "partner":
            collaboration = group.shares[COLLABORATES]
            shares_in = np.array([collaboration, 1.0 - collaboration])
            takes_part = _cut(self.collaborates[universe], w, shares_in) == 0
            shares = np.minimum(shares / max(collaboration, 1e-9), 1.0)
        if item.name == "innovation_type":
            introduced = np.column_stack([state.columns[f"introduced_{o}"] for o in options])
            scores = np.where(introduced[universe] == 1, scores, -np.inf)
        if takes_part.any():
            ticks[takes_part] = _select(
                scores[takes_part], w[takes_part], shares, item.at_least, item.at_most
            )
        for j, column in enumerate(self.columns_of()):
            state.columns[column][universe] = ticks[:, j]

    def _draw_introduced(self, group: _Group, universe: np.ndarray) -> None:
        """Innovators tick at least one type; no type is yes for a non-innovator."""
        state = self.state
        innovator = state.columns["innovative"] == 1
        shares = np.array([group.shares[o] for o in self.item.loadings])
        codes = np.zeros(self.scores.shape)
        chosen = universe & innovator
        codes[chosen] = _select(self.scores[chosen], state.weight[chosen], shares, 1)
        dont_know = self.state.rng(self.index, 3).random(codes.shape) < DONT_KNOW
        codes[(codes == 0) & dont_know] = 8
        # A non-innovator needs one "no": all four "don't know" would leave innovative missing.
        all_unknown = (codes == 8).all(axis=1)
        codes[all_unknown, 0] = 0
        for j, column in enumerate(self.columns_of()):
            state.columns[column][universe] = codes[universe, j]


def _calibrate(state: _Edition, drawer: _Drawer, groups: list[_Group], targets) -> list[dict]:
    """Move each lever share until the published figure is met; returns what was achieved.

    A figure's scope becomes its own group of units (the units no earlier scope took), so a
    figure for municipal units and one for all units each move the units only they cover.
    """
    achieved = []
    for target in targets.itertuples(index=False):
        _, codes = LEVERS[target.indicator]
        group = next((g for g in groups if g.scope == target.scope), None)
        if group is None:
            free = scope_mask(state.frame(), target.scope) & groups[0].mask
            if free.any():
                group = _Group(free, dict(groups[0].shares), set(groups[0].fixed), target.scope)
                groups[0].mask = groups[0].mask & ~free
                groups.append(group)
        if group is not None:
            _search(state, drawer, group, target, codes)
        estimate, se = state.estimate(target.indicator, target.scope)
        achieved.append(
            {
                "indicator": target.indicator,
                "scope": target.scope,
                "target": target.share,
                "source_key": target.source_key,
                "estimate": estimate,
                "se": se,
                "assumption": False,
            }
        )
    if len(groups) > 1 and groups[0].mask.any():
        # The units no scope took keep the assumed shares among themselves.
        drawer.draw(groups[0])
    return achieved


def _search(state: _Edition, drawer: _Drawer, group: _Group, target, codes: tuple) -> None:
    """Bisection on the lever's share in the group until the indicator meets its target."""

    def set_share(share: float) -> float:
        if len(codes) == 1 and not isinstance(codes[0], int | np.integer):
            group.shares[codes[0]] = share
        else:
            group.shares = _rescaled(group.shares, codes, share, group.fixed)
        drawer.draw(group)
        return state.estimate(target.indicator, target.scope)[0]

    low, high, share = 0.0, 1.0, target.share
    if isinstance(codes[0], int | np.integer):
        high = 1.0 - sum(group.shares[c] for c in group.fixed if c not in codes)
        share = min(share, high)
    for _ in range(40):
        gap = set_share(share) - target.share
        if abs(gap) < CALIBRATION_TOLERANCE or high - low < 1e-4:
            break
        low, high = (low, share) if gap > 0 else (share, high)
        share = (low + high) / 2
    group.fixed |= set(codes)


def _assumption_rows(state: _Edition, name: str, groups: list[_Group]) -> list[dict]:
    """Target and achieved weighted share of every assumed code or option of one item."""
    frame = state.frame()
    variable = state.codebook.variables.get(name)
    multiple = name == "introduced" or (variable is not None and variable.type == "multiple")
    partners = [f"partner_{option}" for option in ITEM_BY_NAME["partner"].loadings]
    rows = []
    for group in groups:
        if not group.mask.any():
            continue
        for code, share in group.shares.items():
            # A binary item's "no" share is one minus its "yes" share: not a second assumption.
            if code in group.fixed or (code == 0 and not multiple):
                continue
            if code == COLLABORATES:
                label, values = "partner (any ticked)", frame[partners].to_numpy()
                answered = ~np.isnan(values).any(axis=1)
                hit = (values == 1).any(axis=1)
            else:
                column = f"{name}_{code}" if multiple else name
                label = f"{column}={1 if multiple else code}"
                values = frame[column].to_numpy()
                answered = ~np.isnan(values) & (values != 8) & (values != 9)
                hit = values == (1 if multiple else code)
            base = answered & group.mask
            if name == "introduced":
                base &= state.columns["innovative"] == 1
            estimates, covariance = state.design.ratios((hit & base) * 1.0, base * 1.0)
            rows.append(
                {
                    "indicator": label,
                    "scope": group.scope
                    if group is not groups[0] or len(groups) == 1
                    else "units outside the published scopes",
                    "target": float(share),
                    "source_key": "assumption",
                    "estimate": float(estimates[0]),
                    "se": float(np.sqrt(covariance[0, 0])),
                    "assumption": True,
                }
            )
    return rows


# Differences between countries and editions where no figure is published (docs/synthetic.md):
# each assumed share moves on the logit scale by a country effect and a smaller edition effect,
# both normal with these standard deviations and drawn from fixed streams of the seed. Shares of
# a country's own row in ASSUMED_SHARES, and the items below, do not move.
COUNTRY_SPREAD = 0.20
EDITION_SPREAD = 0.08
# Not varied: innovative (a figure or a country row everywhere) and novelty (its country rows
# carry the Nordic report's finding: Norway copies most, Sweden adapts most).
UNVARIED = ("innovative", "novelty")
# The options of one item, the effects and the promote/hinder battery each lean together in a
# country (one shared effect), and each share a little on its own (ITEM_SHARE of a shared one),
# so the orders the sources describe (employees the most common initiator, limited resources the
# most common barrier, quality the most common effect) hold while countries differ.
ITEM_SHARE = 0.5
# Shares that also move together on their own part: the two leading initiators, barriers, effects.
SHARED_VARIATION = {
    ("initiator", "own_manager"): ("initiator", "employees"),
    ("factor_lack_of_time", "*"): ("factor_limited_economic_resources", "*"),
    ("effect_efficiency", 1): ("effect_quality", 1),
}
_VARIATION_STREAM = 7  # the purpose key of these streams (others use 1-3 and 100+)


def _draw(country: str, edition: int, name: str, seed: int) -> float:
    """One country effect plus one edition effect for `name`, from their own fixed streams."""
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big")
    country_effect = _rng(seed, _VARIATION_STREAM, *_key(country, 0), key).normal()
    edition_effect = _rng(seed, _VARIATION_STREAM, *_key(country, edition), key).normal()
    return COUNTRY_SPREAD * country_effect + EDITION_SPREAD * edition_effect


def _family(variable: str) -> str:
    """What a share leans together with: the effects, the battery, or its own item's options."""
    return {"effect_": "effects", "factor_": "factors"}.get(variable[:7], variable)


def _variation(country: str, edition: int, variable: str, code, seed: int = SEED) -> float:
    """The logit shift of one assumed share in one edition (`_draw`): its family's shared effect
    plus ITEM_SHARE of its own."""
    own = SHARED_VARIATION.get((variable, code), (variable, code))
    shared = _draw(country, edition, _family(variable), seed)
    return shared + ITEM_SHARE * _draw(country, edition, f"{own[0]}={own[1]}", seed)


def _logit_shifted(share: float, shift: float) -> float:
    if share <= 0.0 or share >= 1.0:
        return share
    return float(1.0 / (1.0 + np.exp(-(np.log(share / (1.0 - share)) + shift))))


def _varied(country: str, edition: int, item: Item, shares: dict, seed: int) -> dict:
    """An item's assumed shares with the country's and the edition's differences (`_variation`):
    each binary or multiple-response share shifted on the logit scale; an ordinal or single
    item's distribution tilted (promoted codes up, hindered down, or the reverse, for the
    promote/hinder battery; each code on its own otherwise) and scaled back to its total."""
    if item.name in UNVARIED:
        return shares
    own = ASSUMED_SHARES[
        (ASSUMED_SHARES["variable"] == item.name) & (ASSUMED_SHARES["country"] == country)
    ]
    kept = set(own["code"])
    if not item.order:
        varied = {
            code: share
            if code in kept or code == 0
            else _logit_shifted(share, _variation(country, edition, item.name, code, seed))
            for code, share in shares.items()
        }
        if 0 in varied:  # a binary item: "no" is the rest
            varied[0] = 1.0 - varied[1]
        return varied
    if kept:
        return shares
    balance = load_codebook().balance if item.name.startswith("factor_") else None
    if balance is not None:
        # The tilt moves both ends of the scale: half of the shift on each.
        tilt = _variation(country, edition, item.name, "*", seed) / 2
        weights = {
            c: np.exp(tilt if c in balance.promoted else -tilt if c in balance.hindered else 0.0)
            for c in shares
        }
    else:
        codes = {c: _draw(country, edition, f"{item.name}={c}", seed) for c in shares}
        weights = {c: np.exp(shift) for c, shift in codes.items()}
    total = sum(shares.values())
    moved = {c: shares[c] * weights[c] for c in shares}
    scale = total / sum(moved.values())
    return {c: float(v * scale) for c, v in moved.items()}


def _shares_of(country: str, edition: int, item: Item, seed: int = SEED) -> dict:
    """The assumed shares of an item in an edition, varied by country and edition (`_varied`;
    innovative has no row: an assumption per country)."""
    shares = assumed_shares(country, item.name)
    if item.order:
        shares = {code: shares.get(code, 0.0) for code in item.order}
    elif item.name not in ("introduced", "innovation_type") and shares.get(1) is not None:
        shares = {1: shares[1], 0: 1.0 - shares[1]}
    return _varied(country, edition, item, shares, seed)


@functools.lru_cache(maxsize=16)
def _generate(country: str, edition: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The harmonised frame of an edition and its calibration table (cached per process)."""
    if (country, edition) not in EDITIONS:
        known = ", ".join(f"{c}-{e}" for c, e in EDITIONS)
        raise ValueError(f"no synthetic edition {country}-{edition}; known: {known}")
    state = _Edition(country, edition, seed)
    targets = _calibration_targets(country, edition)
    rows = []
    for index, item in enumerate(ITEMS):
        drawer = _Drawer(state, index, item)
        everyone = np.ones(len(state.units), bool)
        groups = [_Group(everyone, _shares_of(country, edition, item, seed), set())]
        drawer.draw(groups[0])
        rows += _calibrate(state, drawer, groups, targets[targets["lever"] == item.name])
        rows += _assumption_rows(state, item.name, groups)
    calibration = pd.DataFrame(rows)
    calibration.insert(1, "country", country)
    calibration.insert(2, "edition", edition)
    return _typed(state), calibration


def _typed(state: _Edition) -> pd.DataFrame:
    """The harmonised frame: every codebook column in codebook order, typed as the loader does."""
    units = state.units
    plan = EDITIONS[(state.country, state.edition)]
    number = np.arange(1, len(units) + 1)
    background = {
        "unit_id": pd.Series([f"{plan.edition_id}-{i:05d}" for i in number], dtype="str"),
        "country": state.country,
        "edition": pd.Series(state.edition, index=units.index, dtype="Int64"),
        "unit_level": plan.unit_level,
        "stratum": units["stratum"],
        "stratum_population": units["stratum_population"].astype("float64"),
        "weight": units["weight"].astype("float64"),
        "gov_level": units["gov_level"],
        "sector": units["sector"],
        "size_class": units["size_class"],
    }
    columns = {}
    for variable in state.codebook.variables.values():
        for column in variable.columns:
            if variable.is_item:
                columns[column] = pd.Series(state.columns[column]).astype("Int8")
            elif column == "unit_id" or variable.dtype in ("float", "integer"):
                columns[column] = background[column]
            else:
                values = pd.Series(background.get(column), index=units.index, dtype="string")
                known = [str(c) for c in variable.categories or ()]
                extra = sorted(set(values.dropna()) - set(known))
                columns[column] = pd.Categorical(values, categories=known + extra)
    return pd.DataFrame(columns, index=pd.RangeIndex(len(units)))


def generate_edition(country: str, edition: int, seed: int = SEED) -> pd.DataFrame:
    """The synthetic harmonised frame of one edition (a fresh copy; same seed, same frame)."""
    return _generate(country, int(edition), int(seed))[0].copy()


def calibration_table(country: str, edition: int, seed: int = SEED) -> pd.DataFrame:
    """Every target of an edition (published or assumed) with the achieved estimate and SE."""
    return _generate(country, int(edition), int(seed))[1].copy()


# --- the demo's national files and their mappings -------------------------------------------------


@dataclass(frozen=True)
class Style:
    """A country's national coding: column names and the codes of yes, no and don't know."""

    prefix: str
    yes_no_dont_know: tuple[int, int, int]
    dont_know: int  # of single and ordinal items
    not_relevant: int
    names: dict  # design and background column -> national name


STYLES = {
    "DK": Style("spm", (1, 2, 3), 98, 99, {"unit_id": "lbnr", "weight": "vaegt",
                "stratum": "strat", "stratum_population": "popsize", "gov_level": "sektor",
                "sector": "omraade", "size_class": "strgrp"}),
    "NO": Style("sp", (1, 2, 3), 98, 99, {"unit_id": "resp_id", "weight": "vekt",
                "stratum": "stratum", "stratum_population": "populasjon",
                "gov_level": "forvaltningsniva", "sector": "tjenesteomrade",
                "size_class": "storrelse"}),
    "SE": Style("f", (1, 2, 3), 98, 99, {"unit_id": "lopnr", "weight": "vikt", "stratum": "strat",
                "stratum_population": "pop_n", "gov_level": "huvudman", "sector": "verksamhet",
                "size_class": "storleksklass"}),
    "FI": Style("k", (1, 0, 8), 8, 9, {"unit_id": "vastaaja", "weight": "paino",
                "stratum": "ositus", "stratum_population": "perusjoukko", "sector": "toimiala",
                "size_class": "kokoluokka"}),
    "IS": Style("sp", (1, 2, 9), 97, 99, {"unit_id": "auðkenni", "weight": "vog",
                "stratum": "lag", "stratum_population": "thydi", "gov_level": "stjornsysla",
                "sector": "svid", "size_class": "staerd"}),
}  # fmt: skip
# Edition -> (file name, format, CSV delimiter, battery on Norway's 1-6 scale, delimited item).
LAYOUTS = {
    ("DK", 2015): ("DK-2015.csv", "csv", ";", False, None),
    ("DK", 2017): ("DK-2017.csv", "csv", ";", False, None),
    ("DK", 2020): ("DK-2020.csv", "csv", ";", False, None),
    ("DK", 2023): ("DK-2023.sav", "spss", None, False, None),
    ("NO", 2018): ("NO-2018.csv", "csv", ",", False, None),
    ("NO", 2020): ("NO-2020.xlsx", "excel", None, True, None),
    ("NO", 2024): ("NO-2024.csv", "csv", ",", False, None),
    ("SE", 2018): ("SE-2018.dta", "stata", None, False, None),
    ("FI", 2018): ("FI-2018.csv", "csv", ",", False, None),
    ("FI", 2022): ("FI-2022.csv", "csv", ",", False, None),
    ("IS", 2018): ("IS-2018.csv", "csv", ";", False, None),
    ("IS", 2021): ("IS-2021.csv", "csv", ";", False, "initiator"),
}
SIX_POINT_RULE = (
    "1-6 (1 hindered strongly .. 6 promoted strongly) to the 5-level scale; 3 and 4 -> neither"
)
BACKGROUND_CODES = ("gov_level", "sector", "size_class")
FIXED_TIME = (2024, 1, 1, 0, 0, 0)


def _national(frame: pd.DataFrame, country: str, edition: int, seed: int):
    """The national table of an edition and its mapping's `columns` and `constants`."""
    style = STYLES[country]
    _, _, _, six_point, delimited = LAYOUTS[(country, edition)]
    codebook = load_codebook()
    table: dict[str, object] = {}
    columns: dict[str, object] = {}
    constants: dict[str, object] = {}
    for name in ("unit_id", "weight", "stratum", "stratum_population"):
        table[style.names[name]] = frame[name].astype(
            str if name in ("unit_id", "stratum") else float
        )
        columns[name] = style.names[name]
    for name in BACKGROUND_CODES:
        categories = list(codebook[name].categories)
        if name not in style.names:
            constants[name] = str(frame[name].iloc[0])
            continue
        codes = frame[name].astype(str).map({c: i + 1 for i, c in enumerate(categories)})
        table[style.names[name]] = codes.astype("Int64")
        columns[name] = {
            "column": style.names[name],
            "recode": {i + 1: c for i, c in enumerate(categories)},
        }
    rng = _rng(seed, *_key(country, edition), 4)
    yes, no, dont_know = style.yes_no_dont_know
    identity = (yes, no, dont_know) == (1, 0, 8)
    items = [v for v in codebook.variables.values() if v.is_item and v.name != "innovative"]
    for number, variable in enumerate(items, start=1):
        national = f"{style.prefix}{number}"
        if variable.type == "multiple":
            if variable.name == delimited:
                ticked = frame[variable.columns].eq(1).fillna(False).to_numpy(bool)
                asked = frame[variable.columns[0]].notna().to_numpy()
                codes = np.arange(1, len(variable.columns) + 1).astype(str)
                joined = pd.Series([";".join(codes[row]) for row in ticked]).where(asked, None)
                table[national] = joined
                columns[variable.name] = {
                    "column": national,
                    "delimiter": ";",
                    "codes": {i + 1: o for i, o in enumerate(variable.options)},
                }
                continue
            options = {}
            for j, (option, column) in enumerate(zip(variable.options, variable.columns), 1):
                table[f"{national}_{j}"] = frame[column].astype("Int64")
                options[option] = f"{national}_{j}"
            columns[variable.name] = {"options": options, "selected": [1]}
            continue
        values = frame[variable.name].astype("Int64")
        if variable.type == "binary":
            recode = {yes: 1, no: 0, dont_know: 8}
            table[national] = values.map({1: yes, 0: no, 8: dont_know}).astype("Int64")
        elif six_point and variable.name.startswith("factor_"):
            # Neither (3) is written as 3 or 4 at random: the 1-6 scale has no middle.
            middle = np.where(rng.random(len(values)) < 0.5, 3, 4)
            six = values.map({1: 6, 2: 5, 4: 2, 5: 1, 8: style.dont_know, 9: style.not_relevant})
            six = six.astype("Int64").mask(
                (values == 3).fillna(False), pd.Series(middle, index=values.index)
            )
            table[national] = six.astype("Int64")
            recode = {1: 5, 2: 4, 3: 3, 4: 3, 5: 2, 6: 1, style.dont_know: 8}
            recode[style.not_relevant] = 9
            columns[variable.name] = {"column": national, "recode": recode, "rule": SIX_POINT_RULE}
            continue
        else:
            extra = {8: style.dont_know, 9: style.not_relevant}
            recode = {c: c for c in variable.categories}
            recode.update({extra[c]: c for c in variable.non_substantive})
            table[national] = values.map({v: k for k, v in recode.items()}).astype("Int64")
        columns[variable.name] = national if identity else {"column": national, "recode": recode}
    return pd.DataFrame(table), columns, constants


def _caveats(country: str, edition: int) -> list[str]:
    plan = EDITIONS[(country, edition)]
    coverage = {
        "DK": "State, regional and municipal workplaces.",
        "NO": "Municipal and county units only (KS); no state units.",
        "SE": "All publicly owned workplaces.",
        "FI": "Municipalities and joint municipal authorities only.",
        "IS": "Selected municipal services and state bodies.",
    }[country]
    unit = (
        "Unit: one organisation per municipality or joint authority; never pool with workplaces."
        if plan.unit_level == "organisation"
        else "Unit: the workplace, answered by its manager."
    )
    return [
        "SYNTHETIC DATA: drawn by innobarometer.harmonise.synthetic to match published figures; "
        "not real answers.",
        unit,
        coverage,
        f"Assumed in the model: {plan.assumed}.",
    ]


# What changed against the country's previous edition (the mapping's `comparability:`): Norway's
# coverage grew in 2020 (survey_facts.csv), and its demo file asks the battery on 1-6 in 2020.
COMPARABILITY = {
    ("NO", 2020): [
        {
            "variable": "all",
            "changed": "coverage",
            "note": "adds social, culture and technical units to 2018's health and care, "
            "education and upbringing units (KS)",
        },
        {
            "variable": "factors",
            "changed": "scale",
            "note": "the promote/hinder battery is asked on a 1-6 scale, converted to five "
            "levels (3 and 4 -> neither)",
        },
    ],
    ("NO", 2024): [
        {
            "variable": "factors",
            "changed": "scale",
            "note": "the battery is asked on five levels again, after 2020's 1-6 scale",
        }
    ],
}


def _mapping(country: str, edition: int, columns: dict, constants: dict) -> dict:
    """A demo mapping as a dict, in the order of the schema."""
    file, fmt, delimiter, _, _ = LAYOUTS[(country, edition)]
    source = {"file": f"../raw/{file}", "format": fmt}
    if delimiter:
        source["delimiter"] = delimiter
    mapping = {
        "country": country,
        "edition": edition,
        "synthetic": True,
        "unit_level": EDITIONS[(country, edition)].unit_level,
        "source": source,
    }
    if constants:
        mapping["constants"] = constants
    mapping["columns"] = columns
    mapping["caveats"] = _caveats(country, edition)
    if (country, edition) in COMPARABILITY:
        mapping["comparability"] = COMPARABILITY[(country, edition)]
    return mapping


def demo_mapping(country: str, edition: int, seed: int = SEED) -> dict:
    """The mapping of an edition's demo file, as written to data/demo/mappings/<CC>-<YYYY>.yaml."""
    frame = generate_edition(country, edition, seed)
    _, columns, constants = _national(frame, country, edition, seed)
    return _mapping(country, edition, columns, constants)


def _value_labels(mapping: dict) -> tuple[dict, dict]:
    """Column labels and value labels of a national table (SPSS and Stata files carry them)."""
    codebook = load_codebook()
    column_labels, value_labels = {}, {}
    for name, spec in mapping["columns"].items():
        variable = codebook[name]
        if isinstance(spec, dict) and "options" in spec:
            for option, column in spec["options"].items():
                column_labels[column] = f"{variable.label}: {variable.options[option]}"
                value_labels[column] = {1: "ticked", 0: "not ticked"}
            continue
        column = spec if isinstance(spec, str) else spec["column"]
        column_labels[column] = variable.label
        if isinstance(spec, dict) and "recode" in spec and variable.is_item:
            value_labels[column] = {
                national: codebook.label(variable, code)
                for national, code in spec["recode"].items()
            }
        elif isinstance(spec, dict) and "recode" in spec:
            value_labels[column] = {
                national: str(code) for national, code in spec["recode"].items()
            }
    return column_labels, value_labels


def _fixed_zip(path: Path) -> None:
    """Rewrite a zip (xlsx) with fixed entry times and document dates, so bytes repeat."""

    with zipfile.ZipFile(path) as archive:
        entries = [(info.filename, archive.read(info)) for info in archive.infolist()]
    stamp = b"2024-01-01T00:00:00Z"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp, data
                )
            archive.writestr(
                zipfile.ZipInfo(name, date_time=FIXED_TIME), data, zipfile.ZIP_DEFLATED
            )


def _fixed_sav_header(path: Path) -> None:
    """Overwrite the creation date and time in an SPSS header (bytes 92-108) with fixed ones."""
    data = bytearray(path.read_bytes())
    data[92:109] = b"01 Jan 2400:00:00"
    path.write_bytes(bytes(data))


def _fixed_dta_timestamp(path: Path) -> None:
    """Overwrite the Stata header's time stamp (`<timestamp>` + length byte + text)."""
    data = bytearray(path.read_bytes())
    at = data.index(b"<timestamp>") + len(b"<timestamp>")
    length = data[at]
    data[at + 1 : at + 1 + length] = b"01 Jan 2024 00:00"[:length].ljust(length)
    path.write_bytes(bytes(data))


def _write_table(table: pd.DataFrame, path: Path, fmt: str, delimiter, labels) -> None:
    # lazy: only the SPSS and Stata demo files need it
    import pyreadstat

    if fmt == "csv":
        table.to_csv(path, sep=delimiter, index=False, lineterminator="\n")
    elif fmt == "excel":
        table.to_excel(path, sheet_name="data", index=False, engine="openpyxl")
        _fixed_zip(path)
    else:
        # SPSS or Stata, with value labels; then the header's time stamp fixed, so the same
        # seed writes the same bytes.
        write, fix_stamp = {
            "spss": (pyreadstat.write_sav, _fixed_sav_header),
            "stata": (pyreadstat.write_dta, _fixed_dta_timestamp),
        }[fmt]
        column_labels, value_labels = labels
        write(
            table.astype({c: float for c in table.columns if table[c].dtype == "Int64"}),
            path,
            column_labels=column_labels,
            variable_value_labels=value_labels,
            file_label="Synthetic demo data",
        )
        fix_stamp(path)


def write_demo_files(raw_dir: Path, seed: int = SEED) -> list[Path]:
    """Write every edition in its national layout, and calibration.csv, into `raw_dir`."""
    raw_dir = Path(raw_dir)
    raw_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for (country, edition), (file, fmt, delimiter, _, _) in LAYOUTS.items():
        frame = generate_edition(country, edition, seed)
        table, columns, constants = _national(frame, country, edition, seed)
        labels = _value_labels(_mapping(country, edition, columns, constants))
        path = raw_dir / file
        _write_table(table, path, fmt, delimiter, labels)
        written.append(path)
    calibration = pd.concat(
        [calibration_table(c, e, seed) for c, e in EDITIONS], ignore_index=True
    ).rename(columns={"estimate": "achieved"})
    path = raw_dir / "calibration.csv"
    calibration.round(6).to_csv(path, index=False, lineterminator="\n")
    written.append(path)
    return written


def demo_mapping_texts(seed: int = SEED) -> dict[str, str]:
    """Every edition's demo mapping as the text of `data/demo/mappings/<CC>-<YYYY>.yaml`."""

    texts = {}
    for country, edition in LAYOUTS:
        header = (
            f"# Demo mapping of the synthetic {country} {edition} file, written by "
            "innobarometer.harmonise.synthetic.\n# Do not edit: `make data` rewrites it whenever "
            "the generator writes something else.\n"
        )
        body = yaml.safe_dump(
            demo_mapping(country, edition, seed), sort_keys=False, allow_unicode=True, width=100
        )
        texts[f"{country}-{edition}.yaml"] = header + body
    return texts
