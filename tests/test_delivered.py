"""A comparison without pooled microdata (issue 13, item 9): editions delivered as estimate tables
(`python -m innobarometer deliver`, `data/delivered/<CC>-<YYYY>/`) take part in the Nordic
rounds and the trends, give the numbers the microdata gives, keep suppressed cells suppressed,
and a mistaken delivery names its file, column and fix."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from innobarometer.__main__ import main
from innobarometer.analysis import delivered
from innobarometer.analysis.differences import country_differences
from innobarometer.analysis.editions import AnalysisError
from innobarometer.analysis.estimates import estimate_variable
from innobarometer.deliveries import DELIVERED_FILES
from innobarometer.pipeline import plan
from innobarometer.report.sentences import country_sentences

ROOT = Path(__file__).parent.parent
# Two editions a partner delivers: one per workplace (Denmark) and one per organisation (Finland).
DELIVERED = ("DK-2017", "FI-2018")
REPORTS = ("nordic/2018", "trends/DK")
BUILD = ("build", "--themes", "nordic,trends", "--editions", "2018,DK")


def run(root: Path, *args: str) -> str:
    """`python -m innobarometer ARGS` in the project `root`; its output (it must succeed)."""
    env = {**os.environ, "INNOBAROMETER_ROOT": str(root)}
    env.pop("DATA", None)
    done = subprocess.run(
        [sys.executable, "-m", "innobarometer", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def products(root: Path) -> dict[str, str]:
    return {name: (root / "build" / f"{name}.csv").read_text() for name in REPORTS}


@pytest.fixture(scope="module")
def mixed(demo_root, tmp_path_factory):
    """The 2018 round and Denmark's trend built from the microdata; then DK-2017 and FI-2018
    exported with the deliver command into data/delivered/, their microdata removed from the
    active set, and the same reports rebuilt. (project root, CSVs from microdata)"""
    root = tmp_path_factory.mktemp("delivered") / "project"
    shutil.copytree(demo_root, root, symlinks=True)
    shutil.copy(ROOT / "data" / "rounds.yaml", root / "data" / "rounds.yaml")
    run(root, *BUILD)
    from_microdata = products(root)
    for edition in DELIVERED:
        run(root, "deliver", edition, "--to", str(root / "data" / "delivered" / edition))
        (root / "data" / "demo" / "mappings" / f"{edition}.yaml").unlink()
        for path in (root / "build" / "data").glob(f"{edition}.*"):
            path.unlink()
    run(root, *BUILD)
    return root, from_microdata


def test_a_round_built_partly_from_delivered_tables_gives_the_microdata_numbers(mixed):
    root, from_microdata = mixed
    for edition in DELIVERED:
        folder = root / "data" / "delivered" / edition
        assert sorted(p.name for p in folder.iterdir()) == sorted(DELIVERED_FILES)
    for name, text in products(root).items():
        before = pd.read_csv(io.StringIO(from_microdata[name]), dtype=str, keep_default_na=False)
        after = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        assert len(after) > 50, name
        pd.testing.assert_frame_equal(after, before)  # every number, to the last digit
        assert text == from_microdata[name]
    page = (root / "build" / "nordic" / "2018.html").read_text()
    assert "DK-2017 is delivered as estimate tables by its partner" in page
    assert "FI-2018 is delivered as estimate tables by its partner" in page
    assert "Built here from the microdata: NO-2018, SE-2018, IS-2018." in page
    assert page.count("tables delivered by its partner") == 2  # the comparability box
    assert "Not in this data set" not in page
    trend = (root / "build" / "trends" / "DK.html").read_text()
    assert "DK-2017 is delivered as estimate tables by its partner" in trend


def test_the_plan_counts_delivered_editions_as_present_and_as_inputs(mixed, monkeypatch):
    root, _ = mixed
    monkeypatch.setenv("INNOBAROMETER_ROOT", str(root))
    monkeypatch.delenv("DATA", raising=False)
    data_set = plan.load_data_set()
    assert set(data_set.delivered) == set(DELIVERED)
    assert not set(DELIVERED) & set(data_set.editions)
    reports = {r.name: r for r in plan.plan_reports(plan.discover_themes(), data_set)}
    round_ = reports["nordic/2018"]
    assert round_.lacking == () and round_.delivered == DELIVERED
    assert {"DK-2017", "FI-2018"} <= set(round_.reads)
    assert reports["trends/DK"].delivered == ("DK-2017",)


def test_a_suppressed_cell_in_a_delivered_table_stays_suppressed(mixed, tmp_path):
    source, from_microdata = mixed
    root = tmp_path / "project"
    shutil.copytree(source, root, symlinks=True)
    # The partner's own rules hid Finland's share of copied innovations (secondary suppression).
    path = root / "data" / "delivered" / "FI-2018" / "estimates.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    cell = (table["request"] == "novelty") & (table["category"] == "3")
    assert cell.sum() == 1
    table.loc[cell, ["estimate", "se", "ci_lower", "ci_upper", "deff"]] = ""
    table.loc[cell, ["suppressed", "suppression"]] = ["True", "secondary"]
    table.to_csv(path, index=False, lineterminator="\n")
    out = run(root, "build", "--themes", "nordic", "--editions", "2018", "--dry-run")
    assert "delivered FI-2018 estimates.csv changed" in out
    run(root, "build", "--themes", "nordic", "--editions", "2018")

    report = pd.read_csv(root / "build" / "nordic" / "2018.csv", dtype=str, keep_default_na=False)
    shares = report[(report["table"] == "novelty_by_country") & (report["category"] == "3")]
    finland = shares[shares["group"] == "FI"].iloc[0]
    assert (finland["suppressed"], finland["estimate"], finland["se"]) == ("True", "", "")
    pairs = report[(report["table"] == "novelty_differences") & (report["category"] == "3")]
    with_finland = pairs[(pairs["first"] == "FI") | (pairs["second"] == "FI")]
    assert len(with_finland) == 4
    assert (with_finland["suppressed"] == "True").all() and (with_finland["estimate"] == "").all()
    # The other countries' shares are the microdata's.
    before = pd.read_csv(io.StringIO(from_microdata["nordic/2018"]), dtype=str)
    before = before[(before["table"] == "novelty_by_country") & (before["category"] == "3")]
    others = shares[shares["group"] != "FI"]
    assert list(others["estimate"]) == list(before[before["group"] != "FI"]["estimate"])
    # No claim rests on a hidden cell: Norway cannot be said to copy more than Finland.
    page = (root / "build" / "nordic" / "2018.html").read_text()
    assert "Norway copies most" not in page


@pytest.fixture
def delivery(mixed, tmp_path, monkeypatch):
    """A project holding a copy of DK-2017's delivery only (mutable), as the root."""
    root, _ = mixed
    project = tmp_path / "project"
    (project / "data" / "demo" / "mappings").mkdir(parents=True)
    shutil.copytree(
        root / "data" / "delivered" / "DK-2017", project / "data" / "delivered" / "DK-2017"
    )
    monkeypatch.setenv("INNOBAROMETER_ROOT", str(project))
    monkeypatch.delenv("DATA", raising=False)
    return project / "data" / "delivered" / "DK-2017"


def test_a_delivery_missing_a_file_names_it_and_the_fix(delivery):
    (delivery / "differences.csv").unlink()
    with pytest.raises(plan.BuildError) as error:
        plan.load_data_set()
    assert "DK-2017/differences.csv is missing" in str(error.value)
    assert "python -m innobarometer deliver DK-2017" in str(error.value)
    with pytest.raises(AnalysisError, match=r"DK-2017/differences.csv is missing.*deliver DK-2017"):
        delivered.load_delivered("DK-2017")


def test_a_delivery_missing_a_column_names_the_file_column_and_fix(delivery):
    path = delivery / "estimates.csv"
    pd.read_csv(path, dtype=str, keep_default_na=False).drop(columns="df").to_csv(path, index=False)
    with pytest.raises(AnalysisError) as error:
        delivered.load_delivered("DK-2017")
    message = str(error.value)
    assert "DK-2017/estimates.csv: column df missing" in message
    assert "python -m innobarometer deliver DK-2017" in message


def test_a_delivery_with_a_wrong_value_names_the_line_and_column(delivery):
    path = delivery / "estimates.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    table.loc[2, "se"] = "about 0.01"
    table.to_csv(path, index=False)
    with pytest.raises(AnalysisError, match=r"estimates.csv: line 4, column se: 'about 0.01'"):
        delivered.load_delivered("DK-2017")


def test_delivered_real_tables_are_not_mixed_with_the_demo(delivery):
    path = delivery / "facts.json"
    path.write_text(path.read_text().replace('"synthetic": true', '"synthetic": false'))
    with pytest.raises(AnalysisError, match=r"national survey data.*synthetic demo.*never mixed"):
        delivered.load_delivered("DK-2017")


def test_a_misnamed_delivered_folder_is_named(delivery):
    delivery.rename(delivery.parent / "DK2017")
    with pytest.raises(plan.BuildError, match=r"delivered/DK2017: .*rename it"):
        plan.load_data_set()


def test_delivered_tables_answer_only_what_they_hold(delivery):
    eds, options = delivered.open_round(["DK-2017"], 5, "logit")
    (edition,) = eds
    assert edition.delivered and len(edition.frame) > 0
    shares, _ = country_differences(eds, ["innovative"], **options)
    assert shares["estimate"].iloc[0] > 0
    # Other options would re-suppress or re-estimate cells: refused, with the command to ask for.
    with pytest.raises(AnalysisError, match=r"threshold 5.*threshold 10.*--threshold 10"):
        country_differences(eds, ["innovative"], ci_method="logit", threshold=10)
    # What the tables do not hold is an error, never a gap.
    with pytest.raises(AnalysisError, match=r"estimates.csv: no variable estimate of 'sector'"):
        estimate_variable(edition, "sector", **options)
    with pytest.raises(AnalysisError, match=r"by group .* need its microdata"):
        estimate_variable(edition, "novelty", by="gov_level", **options)
    with pytest.raises(AnalysisError, match=r"DK-2017 is delivered as estimate tables"):
        edition.design.weights  # noqa: B018 - the design refuses every use


def test_the_deliver_command_names_a_wrong_option(mixed, monkeypatch, capsys):
    root, _ = mixed
    monkeypatch.setenv("INNOBAROMETER_ROOT", str(root))
    monkeypatch.delenv("DATA", raising=False)
    assert main(["deliver", "NO-2018", "--ci", "normal", "--to", str(root / "x")]) == 1
    assert "unknown interval method 'normal'" in capsys.readouterr().err
    assert not (root / "x").exists()


def test_country_sentences_name_the_unit_as_the_tables_do():
    """The Nordic report's sentences use its labels ("Finland (municipal organisations)")."""
    rows = [("FI", 0.9), ("DK", 0.6), ("NO", 0.5)]
    shares = pd.DataFrame(
        {
            "indicator": "innovative",
            "category": "1",
            "group": [g for g, _ in rows],
            "estimate": [e for _, e in rows],
            "ci_lower": [e - 0.02 for _, e in rows],
            "ci_upper": [e + 0.02 for _, e in rows],
            "suppressed": False,
            "flag": "",
        }
    )
    pairs = pd.DataFrame(
        {
            "label": "Innovative (introduced at least one innovation): pair",
            "first": ["FI", "FI", "DK"],
            "second": ["DK", "NO", "NO"],
            "estimate": [0.3, 0.4, 0.1],
            "p_holm": 0.001,
            "suppressed": False,
            "family": "the 3 country pairs of Innovative",
        }
    )
    labels = {"FI": "Finland (municipal organisations)", "DK": "Denmark", "NO": "Norway"}
    (sentence,) = country_sentences(shares, pd.Series(["Innovative"] * 3), pairs, labels)
    assert "highest for Finland (municipal organisations) (90%" in sentence
