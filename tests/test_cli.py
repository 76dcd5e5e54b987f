"""The command line as a user types it: `python -m innobarometer estimate|codebook ...`."""

import io
import subprocess
import sys

import pandas as pd
import pytest

from innobarometer.__main__ import main
from innobarometer.survey.estimate import TIDY_COLUMNS


@pytest.fixture
def in_demo(demo_root, monkeypatch):
    monkeypatch.setenv("INNOBAROMETER_ROOT", str(demo_root))
    monkeypatch.delenv("DATA", raising=False)
    return demo_root


def _run(args, capsys):
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_estimate_prints_the_tidy_table_by_group(in_demo, capsys):
    code, out, err = _run(["estimate", "DK-2023", "innovative", "--by", "gov_level"], capsys)
    assert code == 0, err
    table = pd.read_csv(io.StringIO(out), keep_default_na=False)
    assert list(table.columns) == TIDY_COLUMNS
    assert sorted(table["group"]) == ["", "municipal", "regional", "state"]
    assert set(table["ci_method"]) == {"logit"}
    whole = table[table["group"] == ""].iloc[0]
    assert float(whole["ci_lower"]) < float(whole["estimate"]) < float(whole["ci_upper"])
    labels = dict(zip(table["group"], table["group_label"]))
    assert labels == {"": "All", "municipal": "Municipal", "state": "State"} | {
        "regional": labels["regional"]
    } and labels["regional"].startswith("Regional")
    assert set(table["category_label"]) == {"Yes"} and set(table["suppression"]) == {""}
    # Unrounded: the CSV carries full precision, not a formatted percentage.
    assert len(str(whole["estimate"])) > 6


def test_estimate_of_an_innovator_item_uses_the_innovator_domain(in_demo, capsys):
    code, out, _ = _run(["estimate", "DK-2023", "partner", "--ci", "beta"], capsys)
    assert code == 0
    table = pd.read_csv(io.StringIO(out), keep_default_na=False)
    assert set(table["domain"]) == {"innovators"}
    assert "citizens" in set(table["category"])
    assert set(table.loc[table["category"] != "options_ticked", "ci_method"]) == {"beta"}


def test_a_high_threshold_suppresses_cells(in_demo, capsys):
    code, out, _ = _run(
        ["estimate", "DK-2023", "innovative", "--by", "sector", "--threshold", "100"], capsys
    )
    assert code == 0
    table = pd.read_csv(io.StringIO(out), keep_default_na=False)
    small = table[table["n_unweighted"] < 100]
    assert len(small) > 0
    assert small["suppressed"].astype(str).eq("True").all()
    assert (small["estimate"] == "").all()
    # Every blank row says why; a group hidden only to protect another has 100 units or more.
    assert set(table.loc[table["suppressed"], "suppression"]) <= {"primary", "secondary"}
    assert (small["suppression"] == "primary").all()
    big = table[table["suppressed"] & (table["n_unweighted"] >= 100)]
    assert (big["suppression"] == "secondary").all()


def test_estimate_of_a_single_choice_item_gives_one_base_summing_to_one(in_demo, capsys):
    """DK-2023 evaluation: don't know is over the same 1,364 innovators as the other answers."""
    code, out, err = _run(["estimate", "DK-2023", "evaluation"], capsys)
    assert code == 0, err
    table = pd.read_csv(io.StringIO(out), keep_default_na=False, dtype={"category": str})
    assert list(table["category"]) == ["1", "2", "3", "4", "5", "8"]
    assert table["n_unweighted"].nunique() == 1
    assert table["estimate"].sum() == pytest.approx(1, abs=1e-12)
    assert table["category_label"].iloc[-1] == "Don't know"
    assert table["category_label"].iloc[0] == "Evaluated internally"


@pytest.mark.parametrize(
    "args, message",
    [
        (["estimate", "DK-2099", "innovative"], "DK-2099 is not an edition"),
        (["estimate", "DK-2023", "inovative"], "did you mean 'innovative'"),
        (["estimate", "DK-2023", "innovative", "--ci", "wald"], "wald"),
        (["estimate", "DK-2023", "innovative", "--by", "sectr"], "did you mean 'sector'"),
        (["estimate", "DK-2023", "partner", "--domain", "inovators"], "unknown domain"),
    ],
)
def test_clear_errors_without_traceback(in_demo, capsys, args, message):
    code, out, err = _run(args, capsys)
    assert code == 2
    assert out == ""
    assert message in err
    assert "Traceback" not in err


def test_codebook_command_prints_the_fixed_names():
    result = subprocess.run(
        [sys.executable, "-m", "innobarometer", "codebook"], capture_output=True, text=True
    )
    assert result.returncode == 0
    for name in ("unit_id", "gov_level", "stratum_population", "innovative", "partner"):
        assert name in result.stdout
