"""environment.yml (conda) and pyproject.toml (pip) must list the same packages and bounds."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).parent.parent


def _normalise(requirement: str) -> str:
    return re.sub(r"\s+", "", requirement).lower().replace("_", "-")


def test_environment_yml_lists_the_pyproject_dependencies():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_side = set(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        pip_side |= set(extra)
    conda = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    conda_side = {d for d in conda if isinstance(d, str) and not d.startswith(("python", "pip"))}
    assert {_normalise(d) for d in conda_side} == {_normalise(d) for d in pip_side}
