"""Shared fixtures: the vendored R `survey` reference data (see tests/data/ORIGIN.md)."""

from pathlib import Path

import pandas as pd
import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def api_strat() -> pd.DataFrame:
    return pd.read_csv(DATA / "apistrat.csv")


@pytest.fixture(scope="session")
def api_clus1() -> pd.DataFrame:
    return pd.read_csv(DATA / "apiclus1.csv")


@pytest.fixture
def strat(api_strat):
    """apistrat as R's svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc)."""
    from innobarometer.survey.design import SurveyDesign

    return SurveyDesign.from_frame(api_strat, weight="pw", strata="stype", population="fpc")


@pytest.fixture
def clus1(api_clus1):
    """apiclus1 as R's svydesign(id=~dnum, weights=~pw, fpc=~fpc)."""
    from innobarometer.survey.design import SurveyDesign

    return SurveyDesign.from_frame(
        api_clus1, weight="pw", strata=None, population="fpc", psu="dnum"
    )


@pytest.fixture(scope="session")
def api_srs() -> pd.DataFrame:
    return pd.read_csv(DATA / "apisrs.csv")


@pytest.fixture(scope="session")
def nhanes() -> pd.DataFrame:
    return pd.read_csv(DATA / "nhanes.csv")


@pytest.fixture(scope="session")
def oracle() -> pd.DataFrame:
    """R's results, indexed by their id (e.g. 'M1', 'P2-beta')."""
    return pd.read_csv(DATA / "r_survey_reference.csv").set_index("id")


ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="session")
def demo_root(tmp_path_factory) -> Path:
    """A project root holding the demo mappings and their harmonised data (built once per session).

    Tests that need the demo data point INNOBAROMETER_ROOT here (`monkeypatch.setenv`), so they
    never write into the repository's own build/ and run from a clean clone.
    """
    import os
    import shutil

    from innobarometer.harmonise.datasets import build_data

    root = tmp_path_factory.mktemp("demo-project")
    shutil.copytree(ROOT / "data" / "demo" / "mappings", root / "data" / "demo" / "mappings")
    (root / "data" / "mappings").mkdir(parents=True)
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    previous = os.environ.get("INNOBAROMETER_ROOT")
    os.environ["INNOBAROMETER_ROOT"] = str(root)
    try:
        build_data("demo", progress=lambda line: None)
    finally:
        if previous is None:
            del os.environ["INNOBAROMETER_ROOT"]
        else:
            os.environ["INNOBAROMETER_ROOT"] = previous
    return root


# The demo edition whose reports (every theme, and the Nordic report) the browser and share tests
# build once per session: one whose reports suppress cells (the share test scans for them).
DEMO_EDITION = "FI-2018"


def built_copy(demo_root: Path, folder: Path, *options: str) -> Path:
    """A copy of the demo project in `folder`, built with `python -m innobarometer build
    <options>` (as `make all` runs it)."""
    import os
    import shutil
    import subprocess
    import sys

    root = folder / "project"
    shutil.copytree(demo_root, root, symlinks=True)
    env = {**os.environ, "INNOBAROMETER_ROOT": str(root)}
    env.pop("DATA", None)
    done = subprocess.run(
        [sys.executable, "-m", "innobarometer", "build", *options],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr
    return root


@pytest.fixture(scope="session")
def demo_build(demo_root, tmp_path_factory) -> Path:
    """A copy of the demo project with every theme of `DEMO_EDITION` and the Nordic report
    built."""
    folder = tmp_path_factory.mktemp("demo-build")
    return built_copy(demo_root, folder, "--editions", f"{DEMO_EDITION},latest")


# The edition of each country whose report in the country's language the language tests read
# (issue 16's "what it must show"), built once per session.
LANGUAGE_PAGES = {
    "nb": "NO-2024",
    "da": "DK-2023",
    "sv": "SE-2018",
    "fi": "FI-2022",
    "is": "IS-2021",
}


@pytest.fixture(scope="session")
def language_build(demo_root, tmp_path_factory) -> Path:
    """A copy of the demo project with the overview of `LANGUAGE_PAGES`' editions built in
    English and each edition's language."""
    folder = tmp_path_factory.mktemp("language-build")
    editions = ",".join(LANGUAGE_PAGES.values())
    return built_copy(demo_root, folder, "--themes", "overview", "--editions", editions)


@pytest.fixture
def no_catalogs(tmp_path, monkeypatch):
    """The package's words without any language's catalog or codebook wording: English words
    with each language's number formats, whatever the translators have written so far."""
    from innobarometer import codebook, language
    from innobarometer.report import tables

    def forget() -> None:
        language.forget_catalogs()
        codebook._codebook_in.cache_clear()
        tables._WORDINGS.clear()

    monkeypatch.setattr(language, "LOCALE_DIR", tmp_path / "no-locale")
    monkeypatch.setattr(language, "mo_path", lambda code: tmp_path / "mo" / f"{code}.mo")
    forget()
    yield
    forget()
