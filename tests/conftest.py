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
