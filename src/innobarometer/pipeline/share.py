"""`make share` (`python -m innobarometer share`): `build/share/`, a folder safe to hand on.

It holds every page, report CSV, figure and the data package, and nothing of `build/data/` (the
harmonised microdata), `build/failed/` (executed notebooks) or anything else the build keeps for
itself. The data package is validated with frictionless first; the folder is written beside its
final name and renamed into place, so a failure leaves the last one as it was.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from innobarometer import paths
from innobarometer.pipeline.datapackage import NAME as DATA_PACKAGE

SHARE = "share"
# What the site's top level holds besides the report folders.
TOP_LEVEL = ("index.html", "codebook.html", "methodology.html", DATA_PACKAGE, "manifest.json")
# Folders of build/ that are not reports: never shared.
PRIVATE = frozenset({"data", "failed", "screenshots", SHARE})
# What a report folder may hold that is shared: pages, tables, figures.
SHARED_SUFFIXES = frozenset({".html", ".csv", ".svg", ".png"})


class ShareError(Exception):
    """The build cannot be shared as it is; the message says why and what to run."""


def shared_files(build: Path) -> list[Path]:
    """Every file of the build that goes into the share folder, relative to build/."""
    missing = [name for name in TOP_LEVEL if not (build / name).is_file()]
    if missing:
        raise ShareError(
            f"{build} lacks {', '.join(missing)}: run `make all` (or `python -m innobarometer "
            "build`) first"
        )
    found = [Path(name) for name in TOP_LEVEL]
    for folder in sorted(p for p in build.iterdir() if p.is_dir()):
        if folder.name in PRIVATE or folder.name.startswith("."):
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in SHARED_SUFFIXES and not path.name.startswith("."):
                found.append(path.relative_to(build))
    return found


def validate_data_package(build: Path) -> None:
    """Fail unless `build/datapackage.json` is valid under frictionless (its CSVs included)."""
    # lazy: frictionless loads only for `share`, never for a build
    import frictionless

    report = frictionless.validate(str(build / DATA_PACKAGE))
    if not report.valid:
        problems = [
            f"{task.name}: {error.message}" for task in report.tasks for error in task.errors
        ]
        problems += [error.message for error in report.errors]
        raise ShareError(
            f"{build / DATA_PACKAGE} is not a valid data package ({len(problems)} problems; "
            f"first: {problems[0]}); rebuild with `make all`"
        )


def write_share(build: Path) -> Path:
    """Write `build/share/` from the build; return its path."""
    files = shared_files(build)
    validate_data_package(build)
    target = build / SHARE
    temporary = build / f".{SHARE}.tmp"
    old = build / f".{SHARE}.old"
    shutil.rmtree(temporary, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)
    try:
        for relative in files:
            (temporary / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(build / relative, temporary / relative)
        if target.exists():
            target.rename(old)
        temporary.rename(target)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
    return target


def run_share_command(args) -> int:
    """`python -m innobarometer share`: the command-line face of `write_share`."""
    build = paths.build_dir()
    try:
        target = write_share(build)
    except ShareError as error:
        print(f"share: {error}", file=sys.stderr)
        return 2
    count = sum(1 for p in target.rglob("*") if p.is_file())
    print(f"{paths.display_path(target)}: {count} files (pages, CSVs, figures, data package)")
    return 0
