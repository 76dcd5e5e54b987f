"""Import direction of the package, read from every module's ast (nothing is imported).

Layers, lowest first: vocabulary (the root __init__ and the VOCABULARY modules) and survey (the
pure statistics core) side by side, then harmonise, analysis, report and pipeline; __main__ (the
command line) sits on top. A module imports its own layer and the layers below it, never sideways
or upward, and analysis and report import nothing of harmonise (they read editions from build/data
through the vocabulary's data_set, so no harmonise code shapes a report). Second rule: an import
inside a function says why in a comment, because it hides a dependency from the top of the file.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "src" / "innobarometer"

# The top-level modules every layer may use.
VOCABULARY = {
    "paths",
    "codebook",
    "indicators",
    "wording",
    "data_set",
    "language",
    "deliveries",
}
RANKS = {
    "vocabulary": 0,
    "survey": 0,
    "harmonise": 1,
    "analysis": 2,
    "report": 3,
    "pipeline": 4,
    "__main__": 5,
}
HARMONISE = "innobarometer.harmonise"
NEVER_HARMONISE = {"analysis", "report"}
DIRECTION = (
    "imports go only downward: pipeline -> report -> analysis -> harmonise -> vocabulary;"
    " survey imports nothing of the project"
)
ASSIGN = (
    "move it into a layer subpackage (survey, harmonise, analysis, report, pipeline) or, if every"
    " layer may use it, add it to VOCABULARY in tests/test_layers.py"
)
IMPORTS, FUNCTIONS = (ast.Import, ast.ImportFrom), (ast.FunctionDef, ast.AsyncFunctionDef)
TOOL_DIRECTIVES = ("noqa", "type:", "pragma", "fmt:", "isort:")  # comments that give no reason


def layer_of(module: str) -> str | None:
    """The layer of a project module such as innobarometer.survey.design; None if it has none."""
    parts = module.split(".")
    if len(parts) == 1 or parts[1] in VOCABULARY:
        return "vocabulary"
    return parts[1] if parts[1] in RANKS else None


def is_module(src: Path, module: str) -> bool:
    """Whether `module` is a module or package in the tree under `src`."""
    base = src.joinpath(*module.split("."))
    return base.with_name(base.name + ".py").is_file() or base.is_dir()


def imported_modules(node: ast.Import | ast.ImportFrom, package: str, src: Path) -> list[str]:
    """The absolute modules one import statement loads (`from a import b` is a.b if b is a module,
    else a); relative imports are resolved against `package`, the importing file's package."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        parts = package.split(".")
        if node.level > len(parts):
            return []
        parts = parts[: len(parts) - node.level + 1]
        base = ".".join([*parts, node.module] if node.module else parts)
    names = [f"{base}.{alias.name}" for alias in node.names]
    found = [name for name in names if is_module(src, name)]
    return list(dict.fromkeys(found if len(found) == len(names) else [*found, base]))


def layer_problem(layer: str, target: str, src: Path) -> str | None:
    """Why a module of `layer` may not import the project module `target`; None if it may."""
    if not is_module(src, target):
        return "no such module in the package (an import left behind by a move?)"
    target_layer = layer_of(target)
    if target_layer is None:
        return f"{target} is in no layer ({ASSIGN})"
    if target_layer != layer and RANKS[target_layer] >= RANKS[layer]:
        return f"{layer} may not import {target_layer} ({DIRECTION})"
    if layer in NEVER_HARMONISE and (target == HARMONISE or target.startswith(HARMONISE + ".")):
        return (
            f"{layer} may not import {target} (analysis and reports read editions only from "
            "build/data, through data_set: no harmonise code may shape a report)"
        )
    return None


def gives_reason(line: str) -> bool:
    """Whether the line has a # comment that says more than a tool directive such as noqa."""
    _, hash_, comment = line.partition("#")
    parts = [part.strip() for part in comment.split("#")]
    return bool(hash_) and any(part and not part.startswith(TOOL_DIRECTIVES) for part in parts)


def says_why(node: ast.stmt, lines: list[str], import_lines: set[int]) -> bool:
    """A reason comment on the import's own lines or on the comment line directly above it; one
    comment above a block of imports (blank lines between import groups included) covers it."""
    if any(gives_reason(lines[n - 1]) for n in range(node.lineno, node.end_lineno + 1)):
        return True
    above = node.lineno - 1
    while above in import_lines or (above >= 1 and not lines[above - 1].strip()):
        above -= 1
    return (
        above >= 1 and lines[above - 1].lstrip().startswith("#") and gives_reason(lines[above - 1])
    )


def imports_in(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement under `tree`, in line order."""
    return sorted((n for n in ast.walk(tree) if isinstance(n, IMPORTS)), key=lambda n: n.lineno)


def layer_violations(package_dir: Path) -> list[str]:
    """One line per import that breaks the layering or sits in a function without a reason."""
    src, root = package_dir.parent, package_dir.name
    problems = []
    for path in sorted(package_dir.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        tree, lines = ast.parse(source, filename=str(path)), source.splitlines()
        where = path.relative_to(src).as_posix()
        parts = path.relative_to(src).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        package = module if path.name == "__init__.py" else ".".join(parts[:-1])
        layer = layer_of(module)
        imports = imports_in(tree)
        import_lines = {line for n in imports for line in range(n.lineno, n.end_lineno + 1)}
        nested = {n for f in ast.walk(tree) if isinstance(f, FUNCTIONS) for n in imports_in(f)}
        for node in imports:
            if node in nested and not says_why(node, lines, import_lines):
                problems.append(
                    f"{where}:{node.lineno} {ast.unparse(node)}: import inside a function without"
                    " a comment saying why (lazy heavy library?)"
                )
            for target in imported_modules(node, package, src):
                if layer is not None and target.split(".")[0] == root:
                    if why := layer_problem(layer, target, src):
                        problems.append(f"{where}:{node.lineno} imports {target}: {why}")
    return problems


def unassigned(package_dir: Path) -> list[str]:
    """Top-level modules and subpackages that belong to no layer."""
    problems = []
    for entry in sorted(package_dir.iterdir()):
        if entry.suffix == ".py" or (entry.is_dir() and any(entry.rglob("*.py"))):
            name = entry.stem if entry.is_file() else entry.name
            if name != "__init__" and layer_of(f"{package_dir.name}.{name}") is None:
                problems.append(
                    f"{entry.relative_to(package_dir.parent).as_posix()} is in no layer: {ASSIGN}"
                )
    return problems


def test_the_package_imports_only_downward():
    violations = layer_violations(PACKAGE)
    print("\n".join(violations))
    assert not violations, f"{len(violations)} import violations:\n" + "\n".join(violations)


def test_every_module_of_the_package_is_in_a_layer():
    problems = unassigned(PACKAGE)
    assert not problems, "\n".join(problems)


# A small package with one module in each layer; each test overrides a few files.
SKELETON = [
    "__init__.py", "__main__.py", "paths.py", "codebook.py",
    "survey/__init__.py", "survey/design.py",
    "harmonise/__init__.py", "harmonise/mapping.py", "harmonise/datasets.py",
    "analysis/__init__.py", "analysis/estimates.py",
    "report/__init__.py", "report/sections.py",
    "pipeline/__init__.py", "pipeline/plan.py",
]  # fmt: skip


def synthetic(tmp_path: Path, files: dict[str, str]) -> Path:
    """Write the skeleton package under tmp_path with `files` (path: source) over it."""
    package = tmp_path / "src" / "innobarometer"
    for name in SKELETON + list(files):
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text(files.get(name, ""), encoding="utf-8")
    return package


@pytest.mark.parametrize(
    ("name", "source", "expected"),
    [
        ("harmonise/datasets.py", "from innobarometer.report import sections\n",
         "harmonise/datasets.py:1 imports innobarometer.report.sections: harmonise may not import"
         " report (imports go only downward"),
        ("survey/design.py", "import innobarometer.codebook\n", "survey may not import vocabulary"),
        ("paths.py", "from innobarometer.survey import design\n",
         "vocabulary may not import survey"),
        ("analysis/estimates.py", "from ..pipeline import plan\n",
         "imports innobarometer.pipeline.plan: analysis may not import pipeline"),
        ("harmonise/datasets.py",
         "def load():\n    if True:\n        import innobarometer.analysis  # lazy: cycle\n",
         "datasets.py:3 imports innobarometer.analysis: harmonise may not import analysis"),
        ("analysis/estimates.py", "from innobarometer.harmonise import mapping\n",
         "analysis may not import innobarometer.harmonise.mapping"),
        ("report/sections.py", "from ..harmonise.mapping import read\n",
         "report may not import innobarometer.harmonise.mapping"),
        ("analysis/estimates.py", "from innobarometer.harmonise.datasets import load\n",
         "analysis may not import innobarometer.harmonise.datasets"),
        ("pipeline/plan.py", "from innobarometer import __main__\n",
         "pipeline may not import __main__"),
        ("report/sections.py", "import json\n\n\ndef f():\n    import pandas as pd\n",
         "report/sections.py:5 import pandas as pd: import inside a function without a comment"),
        ("__main__.py", "def main():\n    import pandas  # noqa: F401\n", "inside a function"),
        ("survey/design.py", "from innobarometer.estimate import x\n", "no such module"),
    ],
)  # fmt: skip
def test_the_checker_catches(tmp_path, name, source, expected):
    violations = layer_violations(synthetic(tmp_path, {name: source}))
    assert len(violations) == 1 and expected in violations[0], violations


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("report/sections.py",
         "from innobarometer.analysis import estimates\nfrom .. import paths\n"),
        ("__main__.py", "def main():\n    from innobarometer.pipeline import plan  # lazy: fast\n"),
        ("harmonise/datasets.py",
         "def load():\n    # lazy: pandas is slow to import\n    import numpy\n\n"
         "    import pandas\n"),
        ("harmonise/datasets.py", "from innobarometer import __version__, paths\nimport yaml\n"),
        ("pipeline/plan.py", "from innobarometer.harmonise.mapping import read\n"),
        ("survey/__init__.py", "from .design import SurveyDesign\nfrom . import design\n"),
        ("analysis/estimates.py",
         "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
         "    from ..survey import design\n"),
    ],
)  # fmt: skip
def test_the_checker_allows(tmp_path, name, source):
    assert layer_violations(synthetic(tmp_path, {name: source})) == []


def test_a_new_top_level_module_must_join_a_layer(tmp_path):
    package = synthetic(tmp_path, {"helpers.py": "", "notes/readme.txt": ""})
    assert unassigned(package) == [f"innobarometer/helpers.py is in no layer: {ASSIGN}"]


def test_what_a_report_runs_lies_in_the_layers_its_staleness_hashes():
    """Every package module a report's kernel and export load is in `manifest.REPORT_LAYERS`, so
    an edit to any code that shapes a report's bytes rebuilds it."""
    from processes import package_files_loaded_by

    from innobarometer import paths
    from innobarometer.pipeline.manifest import REPORT_LAYERS

    loaded = package_files_loaded_by(
        "innobarometer.analysis", "innobarometer.report.sections", "innobarometer.report.export"
    )
    hashed = {f for layer in REPORT_LAYERS for f in paths.layer_files(layer)}
    assert loaded and not loaded - hashed, loaded - hashed


def test_the_build_runner_can_load_the_report_export_without_the_analysis_stack():
    """The runner imports `report.export` before forking its workers (`pool.execute`): the report
    package loads its notebook API lazily, so that costs no pandas, scipy or analysis layer."""
    import subprocess
    import sys

    code = (
        "import sys, innobarometer.report.export\n"
        "heavy = ('pandas', 'scipy', 'innobarometer.analysis', 'innobarometer.report.tables')\n"
        "print(' '.join(m for m in heavy if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert loaded == []
