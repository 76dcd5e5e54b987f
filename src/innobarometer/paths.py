"""Where things live: one place for the project's folders, so tests can point them elsewhere.

The project root is `INNOBAROMETER_ROOT` when set, else the current directory when it holds
`notebooks/` and `data/`, else the source checkout this package was imported from.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REFERENCE_DIR = PACKAGE_DIR / "reference"
# Only files named like this count as mappings (a README or an example beside them does not).
MAPPING_NAME = re.compile(r"^([A-Z]{2})-(\d{4})\.yaml$")
# The package's layers, lowest first: `vocabulary` is the top-level modules and their data (the
# codebook, the indicators, the reference figures); the others are subpackages. Imports point
# only downward (`tests/test_layers.py`), so a product depends on its layer and those below it.
# `__main__` (the command line) belongs to no layer: it makes no product.
LAYERS = ("vocabulary", "survey", "harmonise", "analysis", "report", "pipeline")


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


def layer_files(layer: str) -> list[Path]:
    """Every source, data and template file of one layer (`LAYERS`), sorted; no bytecode."""
    if layer not in LAYERS:
        raise ValueError(f"unknown layer {layer!r}; layers are {', '.join(LAYERS)}")
    if layer == "vocabulary":
        top = [p for p in PACKAGE_DIR.iterdir() if p.is_file() and p.name != "__main__.py"]
        found = top + list(REFERENCE_DIR.rglob("*"))
    else:
        found = list((PACKAGE_DIR / layer).rglob("*"))
    return sorted(p for p in found if p.is_file() and "__pycache__" not in p.parts)


def layers_digest(*layers: str) -> str:
    """One SHA-256 of the files of the given layers (names and contents): what a product made by
    code of these layers depends on."""
    digest = hashlib.sha256()
    for layer in layers:
        for path in layer_files(layer):
            digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def write_atomically(path: Path, content: str | bytes | Callable[[Path], None]) -> None:
    """Write a file under a temporary name beside it and rename it into place, so no reader ever
    sees half of it and a failure leaves the old file: text (UTF-8), bytes, or a writer called
    with the temporary path. The temporary name is this process's own and gets the usual file
    mode (mkstemp's would be owner-only)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        if callable(content):
            content(temporary)
        elif isinstance(content, str):
            temporary.write_text(content, encoding="utf-8")
        else:
            temporary.write_bytes(content)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
