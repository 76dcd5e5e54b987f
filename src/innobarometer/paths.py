"""Where things live: one place for the project's folders, so tests can point them elsewhere.

The project root is `INNOBAROMETER_ROOT` when set, else the current directory when it holds a
`pyproject.toml` of this project, else the source checkout this package was imported from.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REFERENCE_DIR = PACKAGE_DIR / "reference"
# Only files named like this count as mappings (a README or an example beside them does not).
MAPPING_NAME = re.compile(r"^([A-Z]{2})-(\d{4})\.yaml$")


def project_root() -> Path:
    """The folder that holds notebooks/, data/ and build/."""
    if env := os.environ.get("INNOBAROMETER_ROOT"):
        return Path(env).resolve()
    cwd = Path.cwd()
    if (cwd / "notebooks").is_dir() and (cwd / "data").is_dir():
        return cwd
    return PACKAGE_DIR.parent.parent


def build_dir() -> Path:
    """Every generated product: data, reports, index, manifest."""
    return project_root() / "build"


def notebooks_dir() -> Path:
    """The theme notebooks (jupytext py:percent)."""
    return project_root() / "notebooks"


def real_mappings_dir() -> Path:
    """The user's mappings of confidential national files."""
    return project_root() / "data" / "mappings"


def demo_mappings_dir() -> Path:
    """The synthetic demo's mappings (committed)."""
    return project_root() / "data" / "demo" / "mappings"


def demo_raw_dir() -> Path:
    """Where the synthetic demo's national-layout files are generated (not committed)."""
    return project_root() / "data" / "demo" / "raw"


def display_path(path: str | os.PathLike) -> str:
    """A path as the user typed it: relative to the working directory when inside it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
