"""The README's real-data guide followed literally: an SPSS file with value labels in data/raw/, the
guide's mapping (read from the guide itself), `check` finding an unmapped column and an unknown
code, the guide's fix, then a clean check, the harmonised data and one report."""

import io
import re
import shutil
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
import yaml

from innobarometer.__main__ import main
from innobarometer.data_set import harmonised_path
from innobarometer.harmonise.datasets import build_data
from innobarometer.pipeline import build

ROOT = Path(__file__).parent.parent
GUIDE = ROOT / "README.md"
THEME = Path(__file__).parent / "fixtures" / "guide" / "innovation.py"
YES_NO = {1: "Ja", 2: "Nej", 3: "Vet ej"}
TIME_SCALE = {
    1: "Hindrade mycket",
    2: "Hindrade något",
    3: "Främjade något",
    4: "Främjade mycket",
    5: "Vet ej",
}
# 24 workplaces in two strata; the first 18 introduced something (f1a = 1), the last 6 nothing.
INNOVATORS, OTHERS = 18, 6
# f14_tid of the innovators: "Vet ej" (5) at SPSS cases 4 and 11, as the guide's output shows.
TIME_ANSWERS = [1, 2, 3, 5, 4, 1, 2, 3, 4, 1, 5, 2, 3, 4, 1, 2, 3, 4]


def guide_block(marker: str, language: str) -> str:
    """The fenced block that follows `<!-- guide-test: marker -->` in the guide."""
    text = GUIDE.read_text(encoding="utf-8")
    pattern = rf"<!-- guide-test: {marker} -->\s*```{language}\n(.*?)```"
    found = re.search(pattern, text, flags=re.S)
    assert found, f"{GUIDE}: no ```{language} block after <!-- guide-test: {marker} -->"
    return found.group(1)


def write_national_file(path: Path) -> None:
    """The example's SPSS file: numeric codes with Swedish value labels, design columns."""
    missing = [np.nan] * OTHERS
    frame = pd.DataFrame(
        {
            "lopnr": [f"SE{i:03d}" for i in range(1, 25)],
            "vikt": [10.0] * 12 + [5.0] * 12,
            "stratum": ["A"] * 12 + ["B"] * 12,
            "popstorlek": [120.0] * 12 + [60.0] * 12,
            "sektor": np.resize([1.0, 2.0, 3.0], 24),
            "f1a": [1.0] * INNOVATORS + [2.0] * OTHERS,
            "f1b": list(np.resize([1.0, 2.0, 3.0], INNOVATORS)) + [2.0] * OTHERS,
            "f1c": [2.0] * 24,
            "f1d": [3.0] * INNOVATORS + [2.0] * OTHERS,
            "f12": list(np.resize([1.0, 2.0, 1.0, 3.0], INNOVATORS)) + missing,
            "f14_tid": [float(a) for a in TIME_ANSWERS] + missing,
        }
    )
    labels = {"sektor": {1: "Statlig", 2: "Regional", 3: "Kommunal"}, "f14_tid": TIME_SCALE}
    labels |= {column: YES_NO for column in ("f1a", "f1b", "f1c", "f1d", "f12")}
    pyreadstat.write_sav(frame, str(path), variable_value_labels=labels)


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A fresh project: the national file in data/raw/, an empty data/mappings/, one theme."""
    for folder in ("data/raw", "data/mappings", "notebooks"):
        (tmp_path / folder).mkdir(parents=True)
    write_national_file(tmp_path / "data" / "raw" / "SE-2023.sav")
    shutil.copy(THEME, tmp_path / "notebooks" / "innovation.py")
    monkeypatch.setenv("INNOBAROMETER_ROOT", str(tmp_path))
    monkeypatch.delenv("DATA", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_check(capsys) -> tuple[int, str]:
    code = main(["check", "data/mappings/SE-2023.yaml"])
    return code, capsys.readouterr().out


def test_following_the_guide_from_national_file_to_report(project, capsys):
    mapping_path = project / "data" / "mappings" / "SE-2023.yaml"
    draft = guide_block("mapping", "yaml")
    mapping_path.write_text(draft, encoding="utf-8")

    # Step 4: the first check finds the unmapped column and the unknown code, as the guide says.
    code, report = run_check(capsys)
    assert code == 1
    assert "Source columns not mapped (1):\n  f12\n" in report
    assert "columns.factor_lack_of_time" in report and "Vet ej" in report
    assert report.rstrip().endswith("Result: NOT usable; fix the problems above")
    excerpt = guide_block("check-output", "text")
    shown = [line for line in excerpt.splitlines() if line.strip() != "..."]
    missing = [line for line in shown if line not in report.splitlines()]
    assert not missing, f"the guide shows lines check no longer prints: {missing}\n{report}"

    # The guide's fix: replace factor_lack_of_time and add spread_actively under `columns:`.
    fixed = yaml.safe_load(draft)
    fixed["columns"].update(yaml.safe_load(textwrap.dedent(guide_block("fix", "yaml"))))
    mapping_path.write_text(yaml.safe_dump(fixed, sort_keys=False), encoding="utf-8")
    code, report = run_check(capsys)
    assert code == 0, report
    assert "No problems." in report and "Result: usable" in report
    assert "Source columns not mapped (0):" in report

    # Step 5: the harmonised data, recoded as the mapping says (expected values by hand).
    assert build_data(progress=lambda line: None) == [harmonised_path("SE-2023")]
    frame = pd.read_parquet(harmonised_path("SE-2023"))
    recoded_time = {1: 5, 2: 4, 3: 2, 4: 1, 5: 8}
    expected_time = [recoded_time[a] for a in TIME_ANSWERS] + [None] * OTHERS
    assert (
        frame["factor_lack_of_time"]
        .astype("object")
        .where(frame["factor_lack_of_time"].notna(), None)
        .tolist()
        == expected_time
    )
    assert frame["innovative"].tolist() == [1] * INNOVATORS + [0] * OTHERS
    assert frame["gov_level"].astype(str).tolist()[:3] == ["state", "regional", "municipal"]
    assert frame["spread_actively"].iloc[:4].tolist() == [1, 0, 1, 8]
    assert frame["country"].astype(str).unique().tolist() == ["SE"]

    # And one report built from it, on the real data set.
    out = io.StringIO()
    assert build.build(themes="innovation", editions="SE-2023", out=out) == 0, out.getvalue()
    report_html = (project / "build" / "innovation" / "SE-2023.html").read_text(encoding="utf-8")
    # 18 innovators of 24: weights 10 x 12 (all innovators) + 5 x 6 innovators of stratum B.
    assert "0.8333" in report_html  # (120 + 30) / 180
    assert "National survey data" in (project / "build" / "index.html").read_text()


def write_layout_file(path: Path) -> pd.DataFrame:
    """The example's file with the columns of the guide's "other layouts" section: partners as
    codes separated by ';' (blank: none ticked), three initiator slots, size in three classes,
    two factors on the four-level scale and a comment column left out on purpose."""
    write_national_file(path)
    frame, meta = pyreadstat.read_sav(str(path))
    innovator = frame["f1a"] == 1
    n = len(frame)
    partners = np.resize(["1;5", "", "4", "5;6;1", "", "6"], n)
    frame["f9"] = np.where(innovator, partners, "")
    slots = np.resize([[1, 2, np.nan], [np.nan] * 3, [3, 3, 4], [4, np.nan, np.nan]], (n, 3))
    for i in range(3):
        frame[f"f10_{i + 1}"] = np.where(innovator, slots[:, i], np.nan)
    frame["storlek"] = np.resize([1.0, 2.0, 3.0], n)
    frame["f14_pol"] = np.where(innovator, np.resize([1.0, 4.0, 5.0], n), np.nan)
    frame["f14_medb"] = np.where(innovator, np.resize([2.0, 3.0], n), np.nan)
    frame["kommentar"] = "x"
    pyreadstat.write_sav(frame, str(path), variable_value_labels=meta.variable_value_labels)
    return frame


def test_the_guides_other_layouts_map_as_it_says(project, capsys):
    frame = write_layout_file(project / "data" / "raw" / "SE-2023.sav")
    mapping = yaml.safe_load(guide_block("mapping", "yaml"))
    mapping["columns"].update(yaml.safe_load(textwrap.dedent(guide_block("fix", "yaml"))))
    text = yaml.safe_dump(mapping, sort_keys=False)
    text += guide_block("unmapped", "yaml")
    # The layouts block is added as written: its anchor and merge key must survive.
    text = text.replace("columns:\n", "columns:\n" + guide_block("layouts", "yaml"), 1)
    (project / "data" / "mappings" / "SE-2023.yaml").write_text(text, encoding="utf-8")
    code, report = run_check(capsys)
    assert code == 0, report
    assert "Source columns not mapped (0):" in report
    assert "1 left out on purpose (listed under unmapped)" in report
    assert "shared recode (A), 2 items" in report
    build_data(progress=lambda line: None)
    harmonised = pd.read_parquet(harmonised_path("SE-2023"))
    innovators = frame["f1a"] == 1
    # Partners: "1;5" ticks two; a blank innovator ticked none (0), a non-innovator is missing.
    assert harmonised["partner_own_organisation"].tolist()[:6] == [1, 0, 0, 1, 0, 0]
    assert harmonised["partner_citizens"].tolist()[:6] == [1, 0, 0, 1, 0, 0]
    assert harmonised.loc[~innovators.to_numpy(), "partner_citizens"].isna().all()
    # Slots: "3, 3, 4" ticks political_leadership once and citizens.
    assert harmonised["initiator_political_leadership"].tolist()[:4] == [0, 0, 1, 0]
    assert harmonised["initiator_citizens"].tolist()[:4] == [0, 0, 1, 1]
    assert harmonised["initiator_employees"].tolist()[:4] == [1, 0, 0, 0]
    assert harmonised["size_class"].astype(str).tolist()[:3] == ["1-9", "10-49", "50+"]
    assert harmonised["factor_politicians"].tolist()[:3] == [5, 1, 8]
    assert harmonised["factor_citizens"].tolist()[:2] == [4, 2]


def _commands(block: str) -> list[list[str]]:
    """The innobarometer commands of a shell block, as argument lists (comments dropped; a line
    of two commands gives both)."""
    found = []
    for line in block.splitlines():
        line = line.split("#", 1)[0]
        for part in line.split(";"):
            words = part.split()
            if words[:3] == [".venv/bin/python", "-m", "innobarometer"]:
                found.append(words[3:])
    return found


def test_every_make_target_has_its_command_and_they_run_without_make(project, capsys):
    block = guide_block("without-make", "sh")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = [t for t in re.findall(r"^([a-z]+):.*## ", makefile, flags=re.M) if t != "help"]
    missing = [t for t in targets if f"# make {t}" not in block]
    assert not missing, f"the guide gives no command for: make {', '.join(missing)}"
    assert "--no-index --find-links wheels" in guide_block("offline-install", "sh")
    assert "pip download --dest wheels" in guide_block("offline-download", "sh")
    # The data, check and build commands, run as the guide writes them, on the guide's example.
    mapping = yaml.safe_load(guide_block("mapping", "yaml"))
    mapping["columns"].update(yaml.safe_load(textwrap.dedent(guide_block("fix", "yaml"))))
    (project / "data" / "mappings" / "SE-2023.yaml").write_text(yaml.safe_dump(mapping), "utf-8")
    shutil.copy(ROOT / "notebooks" / "overview.py", project / "notebooks" / "overview.py")
    ran = []
    for argv in _commands(block):
        if argv[0] in ("lab", "new-theme", "translations") or (
            argv[0] == "build" and "--themes" not in argv
        ):
            # lab starts a server; new-theme, a full build and the translations command (it
            # writes the package's catalogs) are tested elsewhere
            continue
        assert main(argv) == 0, (argv, capsys.readouterr())
        ran.append(argv[0])
    assert sorted(set(ran)) == ["build", "check", "data", "share"]
    assert (project / "build" / "overview" / "SE-2023.html").is_file()
    assert (project / "build" / "share" / "overview" / "SE-2023.html").is_file()
