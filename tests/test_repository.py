"""Repository hygiene: git holds notebooks as text without outputs, no build products, no national
files and nothing large; the jupytext pairing keeps the text form clean."""

import json
import shutil
import subprocess
from pathlib import Path

import jupytext
import nbformat
import pytest
from jupytext.config import load_jupytext_config

ROOT = Path(__file__).parent.parent
LARGEST_FILE = 1024 * 1024  # bytes; data sets are generated or live in data/raw/, never in git

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None or not (ROOT / ".git").exists(), reason="not a git checkout"
)


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout


def _tracked() -> list[str]:
    return [p for p in _git("ls-files", "-z").split("\0") if p]


def notebook_problems(text: str) -> list[str]:
    """What a committed .ipynb must not carry: outputs and execution counts, cell by cell."""
    problems = []
    for number, cell in enumerate(json.loads(text).get("cells", []), start=1):
        if cell.get("outputs"):
            problems.append(f"cell {number} has outputs")
        if cell.get("execution_count") is not None:
            problems.append(f"cell {number} has execution count {cell['execution_count']}")
    return problems


def test_the_notebook_check_finds_outputs_and_counts():
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# Title"),
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell(
            "print(2)",
            execution_count=3,
            outputs=[nbformat.v4.new_output("stream", text="2\n")],
        ),
    ]
    assert notebook_problems(nbformat.writes(notebook)) == [
        "cell 3 has outputs",
        "cell 3 has execution count 3",
    ]


def test_tracked_notebooks_carry_no_outputs_or_execution_counts():
    found = {}
    for path in (p for p in _tracked() if p.endswith(".ipynb")):
        problems = notebook_problems(_git("show", f":{path}"))
        if problems:
            found[path] = problems
    assert not found, (
        f"committed notebooks carry outputs: {found}; clear them (`jupyter nbconvert "
        "--clear-output --inplace FILE`) or commit the jupytext .py instead"
    )


def test_tracked_text_notebooks_are_py_percent_text():
    notebooks = [p for p in _tracked() if p.startswith("notebooks/") and p.endswith(".py")]
    for path in notebooks:
        raw = _git("show", f":{path}")
        assert "\0" not in raw, f"{path} is not text"
        assert raw.lstrip().startswith("# %%") or "\n# %%" in raw, (
            f"{path} is not a jupytext py:percent notebook (no `# %%` cell markers)"
        )


def test_no_build_products_or_national_files_are_tracked():
    tracked = _tracked()
    products = [p for p in tracked if p.startswith("build/")]
    national = [
        p
        for p in tracked
        if (p.startswith("data/raw/") and p != "data/raw/README.md")
        or p.startswith("data/demo/raw/")
    ]
    assert not products, f"build products are committed: {products}; `git rm --cached` them"
    assert not national, f"national or generated data files are committed: {national}"


def test_no_tracked_file_is_larger_than_one_mebibyte():
    """Sizes of the blobs git holds (the index), not of the working tree."""
    entries = [line.split(maxsplit=3) for line in _git("ls-files", "--stage").splitlines()]
    blobs = {entry[1]: entry[3] for entry in entries}
    sizes = subprocess.run(
        ["git", "cat-file", "--batch-check=%(objectname) %(objectsize)"],
        cwd=ROOT,
        input="\n".join(blobs),
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    large = {
        blobs[name]: int(size)
        for name, size in zip(sizes[::2], sizes[1::2])
        if int(size) > LARGEST_FILE
    }
    assert not large, f"files over 1 MiB in git: {large}; generate them or keep them out of git"


def test_git_ignores_paired_notebooks_build_and_national_files():
    candidates = ["notebooks/overview.ipynb", "build/index.html", "data/raw/DK-2023.sav"]
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", *candidates],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert ignored == candidates
    kept = subprocess.run(
        ["git", "check-ignore", "--no-index", "data/raw/README.md"], cwd=ROOT, capture_output=True
    )
    assert kept.returncode == 1, "data/raw/README.md must stay tracked"


def test_jupytext_pairs_theme_notebooks_with_ipynb_and_nothing_else():
    config = load_jupytext_config(str(ROOT / "notebooks" / "overview.py"))
    assert config.default_formats("notebooks/overview.py") == (
        "notebooks///ipynb,notebooks///py:percent"
    )
    assert config.default_formats("scripts/benchmark.py") is None


def test_saving_through_the_pairing_keeps_tags_and_drops_personal_metadata():
    source = '# %% tags=["parameters"]\ncountry = "DK"\n\n# %%\nx = 1\n'
    notebook = jupytext.reads(source, fmt="py:percent")
    # What JupyterLab adds when a researcher opens, runs and saves the paired notebook.
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    notebook.metadata["jupytext"] = {"formats": "notebooks///ipynb,notebooks///py:percent"}
    notebook.cells[1].metadata["jupyter"] = {"source_hidden": True}
    notebook.cells[1].execution_count = 4
    notebook.cells[1].outputs = [nbformat.v4.new_output("stream", text="1\n")]
    config = load_jupytext_config(str(ROOT / "notebooks" / "overview.py"))
    assert jupytext.writes(notebook, fmt="py:percent", config=config) == source
