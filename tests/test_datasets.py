"""The active data set, the build of harmonised Parquet files (staleness by content hash), a new
country-edition with no code change, and the `data` and `check` commands."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import types
from argparse import Namespace
from pathlib import Path

import pandas as pd
import pytest
from fixtures.ingest.project import CSV_TEXT, MAPPING_TEXT, built_files, make_project

from innobarometer.data_set import (
    DataSetError,
    active_set,
    facts_path,
    harmonised_path,
    load_facts,
    load_frame,
)
from innobarometer.harmonise import datasets
from innobarometer.harmonise.datasets import (
    build_data,
    outdated_editions,
    run_check_command,
    run_data_command,
)


def quiet(line: str) -> None:
    """Progress lines are not under test here."""


def test_demo_when_no_real_mapping_and_the_example_does_not_count(tmp_path, monkeypatch):
    make_project(tmp_path, monkeypatch, demo=True)
    real = tmp_path / "data" / "mappings"
    real.mkdir(parents=True)
    (real / "README.md").write_text("docs")
    (real / "example.yaml.txt").write_text(MAPPING_TEXT)
    (real / "dk-2023.yaml").write_text(MAPPING_TEXT)  # lower case: not a mapping name
    active = active_set()
    assert active.kind == "demo" and active.editions == ["DK-2023"]
    assert active.mappings["DK-2023"] == tmp_path / "data" / "demo" / "mappings" / "DK-2023.yaml"
    # The Makefile exports DATA even when empty: empty means "choose automatically".
    monkeypatch.setenv("DATA", "")
    assert active_set().kind == "demo"


def test_real_set_wins_and_data_overrides(tmp_path, monkeypatch):
    make_project(tmp_path, monkeypatch, demo=True, edition_id="NO-2020")
    make_project(tmp_path, monkeypatch, edition_id="SE-2018")
    make_project(tmp_path, monkeypatch, edition_id="DK-2015")
    active = active_set()
    assert active.kind == "real" and active.editions == ["DK-2015", "SE-2018"]
    monkeypatch.setenv("DATA", "demo")
    assert active_set().editions == ["NO-2020"]
    assert active_set("real").editions == ["DK-2015", "SE-2018"]


def test_real_without_a_mapping_says_how_to_add_one(tmp_path, monkeypatch):
    make_project(tmp_path, monkeypatch, demo=True)
    with pytest.raises(DataSetError, match=r"holds no mapping.*data/raw/.*innobarometer check"):
        active_set("real")
    with pytest.raises(DataSetError, match="use demo or real"):
        active_set("synthetic")


def test_load_frame_before_make_data_says_run_make_data(tmp_path, monkeypatch):
    make_project(tmp_path, monkeypatch)
    assert harmonised_path("DK-2023") == tmp_path / "build" / "data" / "DK-2023.parquet"
    with pytest.raises(DataSetError, match="run `make data`"):
        load_frame("DK-2023")
    with pytest.raises(DataSetError, match=r"editions: DK-2023"):
        load_frame("DK-2024")
    with pytest.raises(DataSetError, match=r"DK-2023.facts.json does not exist: run `make data`"):
        load_facts("DK-2023")


def test_build_writes_validated_frames_and_skips_what_is_up_to_date(tmp_path, monkeypatch):
    make_project(tmp_path, monkeypatch, edition_id="DK-2022")
    path = make_project(tmp_path, monkeypatch, edition_id="DK-2023")
    lines: list[str] = []
    written = build_data(progress=lines.append)
    assert written == [harmonised_path("DK-2022"), harmonised_path("DK-2023")]
    assert lines[0].startswith("[1/2] DK-2022 ok ") and lines[0].endswith(" s")
    frame = load_frame("DK-2023")
    assert len(frame) == 7 and list(frame.index) == list(range(7))
    assert frame["unit_id"].tolist() == ["101", "102", "103", "104", "105", "106", "107"]
    first = harmonised_path("DK-2023").read_bytes()

    lines.clear()
    assert build_data(progress=lines.append) == []
    assert lines == ["[1/2] DK-2022 up to date", "[2/2] DK-2023 up to date"]

    # A new file time without a content change (a fresh clone) is still up to date.
    os.utime(path, (1, 1))
    assert build_data(progress=quiet) == []

    # A changed mapping rebuilds only its edition, and the Parquet bytes are reproducible.
    path.write_text(MAPPING_TEXT + "  - Another caveat.\n", encoding="utf-8")
    assert build_data(progress=quiet) == [harmonised_path("DK-2023")]
    assert harmonised_path("DK-2023").read_bytes() == first

    # So does a changed national file.
    raw = tmp_path / "data" / "raw" / "DK-2022.csv"
    raw.write_text(CSV_TEXT.replace("101;2.5;", "101;2.75;"), encoding="utf-8")
    assert build_data(progress=quiet) == [harmonised_path("DK-2022")]
    assert load_frame("DK-2022")["weight"].iloc[0] == 2.75


def test_missing_facts_make_an_edition_out_of_date_and_make_data_writes_them(tmp_path, monkeypatch):
    make_project(tmp_path, monkeypatch)
    build_data(progress=quiet)
    facts_path("DK-2023").unlink()
    assert outdated_editions() == ["DK-2023"]
    assert build_data(progress=quiet) == [harmonised_path("DK-2023")]
    assert load_facts("DK-2023").edition_id == "DK-2023" and outdated_editions() == []


def test_changed_package_code_rebuilds_every_edition(tmp_path, monkeypatch):
    make_project(tmp_path, monkeypatch)
    build_data(progress=quiet)
    monkeypatch.setattr(datasets, "_code_hash", lambda: "a different package")
    assert build_data(progress=quiet) == [harmonised_path("DK-2023")]


def test_a_new_country_edition_needs_only_a_mapping_and_a_file(tmp_path, monkeypatch):
    # Iceland 2025 in its own layout: comma-separated, Icelandic column names, yes=1/no=0.
    csv = (
        "audkenni,vog,lag,fjoldi,nyjung_thjonusta,nyjung_ferli\n"
        "IS1,1.5,x,3,1,0\nIS2,1.5,x,3,0,0\nIS3,2,y,2,0,1\n"
    )
    mapping = """country: IS
edition: 2025
synthetic: false
unit_level: workplace
source: {file: ../raw/IS-2025.csv}
constants: {gov_level: state}
columns:
  unit_id: audkenni
  weight: vog
  stratum: lag
  stratum_population: fjoldi
  introduced_service: nyjung_thjonusta
  introduced_process: nyjung_ferli
caveats: ["State bodies only."]
"""
    make_project(tmp_path, monkeypatch, mapping=mapping, csv=csv, edition_id="IS-2025")
    assert active_set().editions == ["IS-2025"]
    (written,) = build_data(progress=quiet)
    frame = pd.read_parquet(written)
    assert frame["country"].astype(str).tolist() == ["IS"] * 3
    assert frame["edition"].tolist() == [2025] * 3
    assert frame["innovative"].tolist() == [1, 0, 1]
    assert frame["gov_level"].astype(str).tolist() == ["state"] * 3
    facts = load_facts("IS-2025")
    assert (facts.edition_id, facts.unit_level, facts.synthetic) == ("IS-2025", "workplace", False)
    assert facts.caveats == ("State bodies only.",)
    assert "gov_level" in facts.columns and "innovative" in facts.columns


def fake_generator(monkeypatch, mapping_text: str) -> list:
    """A stand-in for innobarometer.harmonise.synthetic that writes the fixture CSV and the given
    mapping text; returns the list its calls are recorded in."""
    calls = []

    def write_demo_files(raw_dir):
        calls.append(raw_dir)
        raw_dir.joinpath("DK-2023.csv").write_text(CSV_TEXT, encoding="utf-8")
        return [raw_dir / "DK-2023.csv"]

    fake = types.ModuleType("innobarometer.harmonise.synthetic")
    fake.write_demo_files = write_demo_files
    fake.demo_mapping_texts = lambda: {"DK-2023.yaml": mapping_text}
    monkeypatch.setitem(sys.modules, "innobarometer.harmonise.synthetic", fake)
    return calls


def test_demo_files_are_generated_once_and_again_when_missing(tmp_path, monkeypatch):
    path = make_project(tmp_path, monkeypatch, demo=True)
    raw_file = tmp_path / "data" / "demo" / "raw" / "DK-2023.csv"
    raw_file.unlink()
    calls = fake_generator(monkeypatch, path.read_text(encoding="utf-8"))
    assert build_data(progress=quiet) == [harmonised_path("DK-2023")]
    assert calls == [tmp_path / "data" / "demo" / "raw"]
    assert build_data(progress=quiet) == []
    assert len(calls) == 1
    raw_file.unlink()
    build_data(progress=quiet)
    assert len(calls) == 2


def test_demo_mappings_that_differ_from_the_generator_are_rewritten(tmp_path, monkeypatch):
    path = make_project(tmp_path, monkeypatch, demo=True)
    generated = path.read_text(encoding="utf-8") + "  - Written by the generator.\n"
    calls = fake_generator(monkeypatch, generated)
    lines: list[str] = []
    build_data(progress=lines.append)
    assert path.read_text(encoding="utf-8") == generated
    assert any(line.startswith("rewrote ") and "DK-2023.yaml" in line for line in lines)
    assert load_facts("DK-2023").caveats[-1] == "Written by the generator."
    # A hand edit of a generated mapping is noticed too, though the generator is unchanged.
    edited = generated.replace("Hand-made test data.", "Edited.")
    path.write_text(edited, encoding="utf-8")
    lines.clear()
    build_data(progress=lines.append)
    assert len(calls) == 2 and path.read_text(encoding="utf-8") == generated
    # The edit is not lost: it is kept beside the mapping, under a name no data set reads.
    kept = path.with_name("DK-2023.yaml.edited")
    assert kept.read_text(encoding="utf-8") == edited
    assert any(line.startswith("rewrote ") and "your edit is kept as" in line for line in lines)
    assert build_data(progress=quiet) == [] and len(calls) == 2


def test_an_interrupted_demo_generation_is_redone_next_time(tmp_path, monkeypatch):
    path = make_project(tmp_path, monkeypatch, demo=True)
    calls = fake_generator(monkeypatch, path.read_text(encoding="utf-8"))
    build_data(progress=quiet)
    assert len(calls) == 1
    (tmp_path / "data" / "demo" / "raw" / "DK-2023.csv").unlink()

    def torn(raw_dir):
        (raw_dir / "DK-2023.csv").write_text("lbnr;vaegt\n1;", encoding="utf-8")
        raise KeyboardInterrupt

    sys.modules["innobarometer.harmonise.synthetic"].write_demo_files = torn
    with pytest.raises(KeyboardInterrupt):
        build_data(progress=quiet)
    # The torn file exists, but the next run does not trust it: it generates again.
    sys.modules["innobarometer.harmonise.synthetic"].write_demo_files = lambda raw_dir: (
        calls.append(raw_dir)
    )
    with contextlib.suppress(Exception):
        build_data(progress=quiet)
    assert len(calls) == 2


def test_the_demo_and_the_frames_follow_every_file_harmonisation_imports_or_reads():
    """The demo generator and harmonisation depend on the layers in HARMONISE_LAYERS: every
    package module they import and every file they read lies in one, so an edit to any of them
    (e.g. survey/design.py) makes `make data` regenerate the demo and rebuild every edition."""
    from processes import package_files_loaded_by

    from innobarometer import codebook, indicators, paths

    imported = package_files_loaded_by(
        "innobarometer.harmonise.synthetic", "innobarometer.harmonise.ingest"
    )
    files = [
        *imported,
        codebook.CODEBOOK_PATH,
        indicators.INDICATORS_PATH,
        indicators.HEADLINE_FIGURES_PATH,
        indicators.SOURCES_PATH,
    ]
    covered = {f for layer in datasets.HARMONISE_LAYERS for f in paths.layer_files(layer)}
    assert Path(paths.PACKAGE_DIR / "survey" / "design.py") in covered
    outside = {Path(f).resolve() for f in files} - covered
    assert not outside, outside


def test_data_command_prints_every_failure_without_a_traceback(tmp_path, monkeypatch, capsys):
    make_project(tmp_path, monkeypatch, edition_id="DK-2022")
    broken = CSV_TEXT.replace("102;", "101;")
    make_project(tmp_path, monkeypatch, edition_id="DK-2023", csv=broken)
    assert run_data_command(Namespace(data=None)) == 1
    out = capsys.readouterr()
    assert "[1/2] DK-2022 ok" in out.out and "[2/2] DK-2023 FAILED" in out.out
    assert "DK-2023.csv: column unit_id (national column lbnr)" in out.err
    assert "Traceback" not in out.err
    assert [p.name for p in built_files(tmp_path)] == [
        "DK-2022.facts.json",
        "DK-2022.inputs.json",
        "DK-2022.parquet",
    ]


def test_check_command_reports_what_maps_and_what_does_not(tmp_path, monkeypatch, capsys):
    path = make_project(tmp_path, monkeypatch)
    assert run_check_command(Namespace(mapping=str(path))) == 0
    out = capsys.readouterr().out
    assert "DK-2023: workplace level, real data" in out and "7 rows, 16 columns" in out
    assert "factor_lack_of_time" in out and "recode 1 -> 5, 2 -> 4" in out
    assert "innovative" in out and "derived from the introduced_* items" in out
    assert "Source columns not mapped (1):\n  q20" in out
    assert "Codebook variables not mapped" in out and "effect_quality" in out
    assert "Result: usable" in out
    assert built_files(tmp_path) == []


def test_check_command_fails_on_an_unknown_code(tmp_path, monkeypatch, capsys):
    csv = CSV_TEXT.replace(";1;1;1;1;;3;", ";1;1;1;1;;4;")
    path = make_project(tmp_path, monkeypatch, csv=csv)
    assert run_check_command(Namespace(mapping=str(path))) == 1
    out = capsys.readouterr().out
    assert "Problems (1):" in out and "column novelty (national column q5)" in out
    assert "lines 7" in out and "NOT usable" in out


def test_check_command_on_a_broken_mapping(tmp_path, monkeypatch, capsys):
    path = make_project(tmp_path, monkeypatch, mapping=MAPPING_TEXT.replace("country: DK", ""))
    assert run_check_command(Namespace(mapping=str(path))) == 1
    out = capsys.readouterr().out
    assert "key country: missing required key" in out and "NOT usable" in out
    shutil.rmtree(tmp_path / "data")
    assert run_check_command(Namespace(mapping=str(path))) == 1
    assert "cannot read the mapping" in capsys.readouterr().out
