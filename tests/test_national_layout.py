"""A national file in layouts the demo does not use, end to end (issue 14).

The demo DK-2023 file and mapping are rewritten as a national statistics office might deliver
them: initiators as three slot columns (`hvati_1..3`, each the code of one choice), size in three
classes with "50+" spanning 50-99 and 100+, no "foundations" partner in the questionnaire (its
column dropped, `not_offered` in the mapping), and the "limited economic resources" factor on a
four-point scale with no middle (a stated `rule`). The file goes through `check`, `make data` and
every theme report of the edition; no section that the file could fill may be empty, and the
conversions are named beside the items they touch.
"""

from __future__ import annotations

import html
import io
import json
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pyreadstat
import pytest
import yaml
from pages import h2_sections

from innobarometer.codebook import load_codebook
from innobarometer.harmonise.datasets import build_data, check_report
from innobarometer.pipeline import build
from innobarometer.survey.estimate import OPTIONS_TICKED

ROOT = Path(__file__).resolve().parents[1]
THEMES = ["overview", "collaboration", "diffusion", "drivers", "barriers"]
FACTOR = "factor_limited_economic_resources"
NO_MIDDLE = {1: 1, 2: 2, 3: 4, 4: 5}  # national 1-4 -> harmonised 1, 2, 4, 5


def national_layout(mapping: dict, frame: pd.DataFrame) -> tuple[dict, pd.DataFrame]:
    """The demo mapping and file rewritten in the four layouts (see the module docstring)."""
    columns = mapping["columns"]
    frame = frame.copy()
    # Initiators: option columns -> slot columns holding the codes of up to three choices.
    options = columns["initiator"]["options"]
    codes = {i + 1: option for i, option in enumerate(options)}
    ticked = pd.DataFrame({o: frame[c] == 1 for o, c in options.items()})
    slots = [[code for code, o in codes.items() if row[o]] for _, row in ticked.iterrows()]
    asked = frame[list(options.values())].notna().any(axis=1)
    for i in range(3):
        frame[f"hvati_{i + 1}"] = [
            float(chosen[i]) if len(chosen) > i else np.nan for chosen in slots
        ]
    # A unit that answered but ticked nothing has blank slots: blank means none ticked.
    frame = frame.drop(columns=list(options.values()))
    columns["initiator"] = {"columns": ["hvati_1", "hvati_2", "hvati_3"], "codes": codes}
    assert asked.any()
    # Size: 50-99 and 100+ delivered as one class.
    size = columns["size_class"]
    national = {v: k for k, v in size["recode"].items()}
    frame[size["column"]] = frame[size["column"]].replace(national["100+"], national["50-99"])
    size["recode"] = {national["1-9"]: "1-9", national["10-49"]: "10-49", national["50-99"]: "50+"}
    # Partners: the questionnaire had no foundations option, so a unit whose only partner it was
    # did not collaborate and was not asked the collaboration phases.
    frame = frame.drop(columns=[columns["partner"]["options"].pop("foundations")])
    columns["partner"]["not_offered"] = ["foundations"]
    partners = frame[list(columns["partner"]["options"].values())]
    phases = list(columns["collaboration_phase"]["options"].values())
    frame.loc[~(partners == 1).any(axis=1), phases] = np.nan
    # One factor on a national scale with no middle: "neither" answers went to either side.
    factor = columns[FACTOR]
    harmonised = frame[factor["column"]].map(factor["recode"])
    neither = harmonised == 3
    national_codes = harmonised.map({1: 1, 2: 2, 4: 3, 5: 4})
    national_codes[neither] = np.where(np.arange(neither.sum()) % 2 == 0, 2, 3)
    substantive = harmonised.isin([1, 2, 3, 4, 5])
    frame[factor["column"]] = national_codes.where(substantive, frame[factor["column"]])
    others = {k: v for k, v in factor["recode"].items() if v not in (1, 2, 3, 4, 5)}
    factor["recode"] = {**NO_MIDDLE, **others}
    factor["rule"] = "national 1-4 with no middle: 1, 2 -> 1, 2 (hindered); 3, 4 -> 4, 5 (promoted)"
    mapping["synthetic"] = False
    return mapping, frame


@pytest.fixture(scope="module")
def national(demo_root, tmp_path_factory):
    """The rewritten edition checked, harmonised and built (the five theme reports of DK-2023)."""
    root = tmp_path_factory.mktemp("national") / "project"
    mappings, raw = root / "data" / "mappings", root / "data" / "raw"
    mappings.mkdir(parents=True)
    raw.mkdir(parents=True)
    shutil.copytree(
        ROOT / "notebooks", root / "notebooks", ignore=shutil.ignore_patterns("*.ipynb")
    )
    demo = demo_root / "data" / "demo"
    mapping = yaml.safe_load((demo / "mappings" / "DK-2023.yaml").read_text(encoding="utf-8"))
    frame, meta = pyreadstat.read_sav(str(demo / "raw" / "DK-2023.sav"))
    mapping, frame = national_layout(mapping, frame)
    labels = {c: t for c, t in meta.variable_value_labels.items() if c in frame.columns}
    pyreadstat.write_sav(frame, raw / "DK-2023.sav", variable_value_labels=labels)
    path = mappings / "DK-2023.yaml"
    path.write_text(yaml.safe_dump(mapping, sort_keys=False, allow_unicode=True), "utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("INNOBAROMETER_ROOT", str(root))
        patch.delenv("DATA", raising=False)
        report, usable = check_report(path)
        build_data(progress=lambda _: None)
        out = io.StringIO()
        code = build.build(themes=",".join(THEMES), editions="DK-2023", out=out)
    return SimpleNamespace(
        root=root, check=report, usable=usable, code=code, log=out.getvalue(), frame=frame
    )


def _page(national, theme: str) -> dict[str, str]:
    path = national.root / "build" / theme / "DK-2023.html"
    return h2_sections(path.read_text(encoding="utf-8"))


def _notices(body: str, kind: str) -> list[str]:
    found = re.findall(rf'<div class="notice {kind}">(.*?)</div>', body, flags=re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", n)) for n in found]


def test_check_accepts_the_layout_and_says_how_it_read_it(national):
    assert national.usable, national.check
    text = " ".join(national.check.split())
    assert "initiator <- slot columns hvati_1, hvati_2, hvati_3 hold codes: 1 -> employees" in text
    assert "initiator: a unit with every cell blank reads as none ticked:" in text
    assert "not offered by the national questionnaire: foundations" in text
    assert "size_class <- strgrp recode 1 -> 1-9, 2 -> 10-49, 3 -> 50+" in text


def test_every_theme_builds_and_no_section_the_file_could_fill_is_empty(national):
    assert national.code == 0, national.log
    manifest = json.loads((national.root / "build" / "manifest.json").read_text())
    built = {n for n, r in manifest["reports"].items() if r["status"] == "built"}
    assert built == {f"{t}/DK-2023" for t in THEMES}, national.log
    for theme in THEMES:
        for name, body in _page(national, theme).items():
            assert not _notices(body, "not-asked"), (theme, name, _notices(body, "not-asked"))


@pytest.mark.parametrize(
    ("theme", "section"),
    [
        ("drivers", "Initiators"),
        ("drivers", "Drivers by government level"),
        ("drivers", "Which workplaces innovate"),
        ("collaboration", "How often innovations are made in collaboration"),
        ("collaboration", "Partners"),
        ("collaboration", "Collaboration intensity"),
        ("collaboration", "Collaboration and effects"),
        ("barriers", "Barriers among collaborators and others"),
        ("barriers", "Hindering factors"),
    ],
)
def test_sections_of_the_new_layouts_have_tables(national, theme, section):
    body = _page(national, theme)[section]
    assert "<table" in body, (theme, section)
    table = pd.read_csv(national.root / "build" / theme / "DK-2023.csv")
    assert (table["section"] == section).any(), (theme, section)


def test_options_not_offered_are_named_and_have_no_share(national):
    page = _page(national, "collaboration")
    for section in ("Partners", "How often innovations are made in collaboration"):
        said = _notices(page[section], "not-offered")
        assert said and said[0].startswith("Not offered in DK-2023: Collaboration partners: "), said
        assert "Foundations" in said[0]
    table = pd.read_csv(national.root / "build" / "collaboration" / "DK-2023.csv")
    partners = table[table["table"] == "partners"]
    offered = [o for o in load_codebook()["partner"].options if o != "foundations"]
    # Every offered option, and the count of options ticked (over the offered ones).
    assert sorted(partners["category"]) == sorted([*offered, OPTIONS_TICKED])


def test_the_coarse_size_class_is_shown_and_used(national):
    table = pd.read_csv(national.root / "build" / "drivers" / "DK-2023.csv")
    by_size = table[table["section"] == "Which workplaces innovate"]
    assert "50+" in set(by_size["group"].dropna())
    assert not {"50-99", "100+"} & set(by_size["group"].dropna())
    said = _notices(_page(national, "drivers")["Which workplaces innovate"], "conversions")
    assert (
        said
        and "the national class 50+ covers 50-99 employees and 100 or more employees" in (said[0])
    )


def test_the_option_count_and_the_models_read_the_layout(national, monkeypatch):
    from innobarometer import analysis

    monkeypatch.setenv("INNOBAROMETER_ROOT", str(national.root))
    edition = analysis.load_edition("DK-2023")
    # The count of partner types is over the offered options, and so are its pairs.
    count = analysis.estimate_option_count(edition, "partner")
    pairs = analysis.item_pairs(edition, count, "numbers of partner types")
    assert pairs["p"].notna().any(), pairs
    # The units of the coarse class 50+ are in a model, as their own level.
    model = analysis.fit(edition, "innovative ~ C(size_class)")
    terms = model.table.set_index("term")
    assert "50-99 employees or 100 or more employees" in terms.loc["C(size_class)[T.50+]", "label"]
    innovative = analysis.binary_values(edition, "innovative")
    sized = edition.frame["size_class"].notna().to_numpy()
    assert model.n == int((sized & ~np.isnan(innovative)).sum())
    # An option the questionnaire did not offer is not asked: no model, as for any unasked item.
    assert analysis.fit(edition, "innovative ~ partner_foundations").not_asked


def test_the_scale_rule_is_named_and_its_middle_is_not_measured(national):
    page = _page(national, "barriers")
    said = _notices(page["Hindering factors"], "conversions")
    assert said and "national 1-4 with no middle" in said[0], said
    assert "(Neither promoted nor hindered: not measured, so not shown)" in said[0]
    table = pd.read_csv(national.root / "build" / "barriers" / "DK-2023.csv")
    rows = table[table["indicator"] == FACTOR]
    assert not rows.empty
    assert "3" not in set(rows["category"].astype(str))
    published = table[(table["table"] == "published")]
    assert "limited_economy_played_a_role" not in set(published["indicator"])


def test_the_codebook_page_names_the_conversions(national, monkeypatch):
    from innobarometer.pipeline.codebook_page import render_codebook_page

    monkeypatch.setenv("INNOBAROMETER_ROOT", str(national.root))
    page = html.unescape(render_codebook_page())
    assert "DK-2023: scale converted: national 1-4 with no middle" in page
    assert "DK-2023: not measured (the conversion cannot give it): Neither" in page
    assert "DK-2023: coarser national classes: 50+ = 50-99 + 100+" in page
    assert "DK-2023: not offered: foundations" in page
