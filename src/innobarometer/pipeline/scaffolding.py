"""Working on the theme notebooks: `make theme NAME=...` creates a notebook from the common
skeleton, and `make lab` starts JupyterLab on the paired notebooks with the package autoreloaded.

A skeleton may mark where the new theme's title and name go with `{{title}}` and `{{theme}}` (inside
strings or comments, so the skeleton stays valid Python); without `{{title}}`, its first level-one
heading becomes the title.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
import keyword
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path

from innobarometer import paths
from innobarometer.data_set import DataSetError
from innobarometer.harmonise.datasets import DataBuildError, build_data
from innobarometer.harmonise.problems import InputError
from innobarometer.paths import display_path
from innobarometer.pipeline.plan import BuildError, read_parameters, theme_title

SKELETON_NAME = "_skeleton.py"
THEME_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
TITLE_PLACEHOLDER = "{{title}}"
THEME_PLACEHOLDER = "{{theme}}"
# Names a theme cannot take: folders and pages the build writes beside the theme folders
# (build/data/, build/failed/, build/lab/, codebook.html, index.html, manifest.json), the Nordic
# report's key, and the skeleton.
RESERVED_NAMES = frozenset(
    {"data", "failed", "lab", "codebook", "index", "manifest", "latest", "skeleton"}
)
FIRST_HEADING = re.compile(r"^# # .*$", re.MULTILINE)
# Every kernel the lab starts runs these first: edits to src/innobarometer/ take effect in an open
# notebook at the next cell, without restarting the kernel.
AUTORELOAD_LINES = ("%load_ext autoreload", "%autoreload 2")
JUPYTEXT_CONTENTS_MANAGER = "jupytext.async_contentsmanager.AsyncTextFileContentsManager"
# The lab's kernel keeps the default kernel's name, so that it replaces any other "python3" kernel
# (a user's, found first when JUPYTER_PREFER_ENV_PATH is off, may run a Python without this
# package), and notebooks saved in the lab name a kernel every Jupyter has.
KERNEL_NAME = "python3"
KERNEL_DISPLAY_NAME = "Python 3 (innobarometer)"
# JupyterLab's settings for this project, written once each, so later changes made in JupyterLab's
# settings are kept: `.py` files open with jupytext's notebook view (a right click still offers the
# text editor), and the lab asks no website for news or updates (nothing downloads at run time).
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": (
        '{\n  "defaultViewers": {"python": "Jupytext Notebook"}\n}\n'
    ),
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": (
        '{\n  "fetchNews": "false",\n  "checkForUpdates": false\n}\n'
    ),
}


class ThemeError(ValueError):
    """A theme cannot be created; the message says why and what to do instead."""


# ----------------------------------------------------------------------------- new theme


def _shadowed_module(name: str) -> bool:
    """True when `notebooks/<name>.py` would shadow an importable module for notebook code.

    Kernels run in notebooks/ with that folder first on sys.path, so a theme called `statistics`
    or `pandas` would replace the module of that name. The current directory is left out of the
    search, as it is not where the kernels run.
    """
    if name in sys.stdlib_module_names or name in sys.builtin_module_names:
        return True
    here = {"", os.getcwd()}
    search = [entry for entry in sys.path if entry not in here]
    return importlib.machinery.PathFinder.find_spec(name, search) is not None


def check_theme_name(name: str, notebooks: Path) -> None:
    """Raise ThemeError unless `name` can be a new theme notebook in `notebooks`."""
    if not THEME_NAME.match(name) or keyword.iskeyword(name):
        raise ThemeError(
            f"{name!r} is not a theme name: use lower case letters, digits and underscores, "
            "starting with a letter (e.g. `make theme NAME=funding`); names starting with _ are "
            "skeletons, not themes"
        )
    existing = notebooks / f"{name}.py"
    if existing.exists():
        raise ThemeError(
            f"{display_path(existing)} exists already: edit it, or choose another name"
        )
    if name in RESERVED_NAMES:
        raise ThemeError(
            f"{name!r} is reserved (the build writes build/{name} or uses the word itself); "
            f"choose another name, e.g. {name}_theme"
        )
    if _shadowed_module(name):
        raise ThemeError(
            f"{name!r} is the name of a Python module ({name}); a notebook of that name would "
            f"shadow it for code run in notebooks/. Choose another name, e.g. {name}_theme"
        )


def fill_skeleton(skeleton: str, name: str, title: str) -> str:
    """The skeleton's text with the theme's name and title put in."""
    text = skeleton.replace(THEME_PLACEHOLDER, name)
    if TITLE_PLACEHOLDER in text:
        return text.replace(TITLE_PLACEHOLDER, title)
    if FIRST_HEADING.search(text):
        return FIRST_HEADING.sub(f"# # {title}", text, count=1)
    return f"# %% [markdown]\n# # {title}\n\n{text}"


def create_theme(name: str, notebooks: Path | None = None) -> Path:
    """Write `notebooks/<name>.py` from `notebooks/_skeleton.py`; return the new notebook's path."""

    notebooks = notebooks or paths.notebooks_dir()
    skeleton = notebooks / SKELETON_NAME
    if not skeleton.is_file():
        raise ThemeError(
            f"{display_path(skeleton)} is missing: it is the common skeleton new themes are made "
            "from; restore it with `git checkout -- notebooks/_skeleton.py`"
        )
    check_theme_name(name, notebooks)
    target = notebooks / f"{name}.py"
    text = fill_skeleton(skeleton.read_text(encoding="utf-8"), name, theme_title(name))
    with target.open("x", encoding="utf-8") as handle:  # "x": never overwrite a notebook
        handle.write(text)
    return target


def next_steps(notebook: Path, name: str, picked_up: bool) -> str:
    """What to do after `make theme`: edit in the lab, build, commit."""
    shown = display_path(notebook)
    lines = [f"Created {shown} from notebooks/{SKELETON_NAME} (theme {name!r})."]
    if not picked_up:
        lines.append(
            f"Warning: {shown} has no cell tagged `parameters`, so the build will skip it; "
            'add one (`# %% tags=["parameters"]`) as in the skeleton.'
        )
    lines += [
        "Next:",
        f"  1. make lab, open {shown} (it opens as a notebook) and write one section per "
        "research question; keep calculations in src/innobarometer/ with tests.",
        f"  2. make all THEMES={name}   builds build/{name}/<CC>-<YYYY>.html and .csv for every "
        "edition; build/index.html links them.",
        f"  3. git add {shown}   (the paired .ipynb stays out of git)",
    ]
    return "\n".join(lines)


def run_new_theme_command(args) -> int:
    """`python -m innobarometer new-theme NAME` (`make theme NAME=...`); 1 for a refused name."""

    name = (args.name or "").strip()
    try:
        notebook = create_theme(name)
    except ThemeError as error:
        print(f"new-theme: {error}", file=sys.stderr)
        return 1
    try:
        picked_up = read_parameters(notebook)[1] > 0
    except BuildError:
        picked_up = False
    print(next_steps(notebook, name, picked_up))
    return 0


# ----------------------------------------------------------------------------- JupyterLab


def lab_dir(root: Path) -> Path:
    """The lab's project-local state: IPython profile, kernel, settings, workspaces."""
    return root / "build" / "lab"


def write_lab_kernel(root: Path) -> Path:
    """Write the kernel spec that runs this Python (the one with the package); return its folder.

    ipykernel's own spec names `python`, which jupytext cannot match to the server's Python, so a
    `.py` notebook opened without its `.ipynb` had no kernel and JupyterLab asked for one.
    """
    # lazy: only `make lab` needs it
    from ipykernel.kernelspec import get_kernel_dict

    folder = lab_dir(root) / "jupyter" / "kernels" / KERNEL_NAME
    folder.mkdir(parents=True, exist_ok=True)
    spec = get_kernel_dict() | {"display_name": KERNEL_DISPLAY_NAME}
    (folder / "kernel.json").write_text(json.dumps(spec, indent=1) + "\n", encoding="utf-8")
    return folder


def write_lab_profile(root: Path) -> Path:
    """Write the IPython profile that autoreloads the package, the lab's kernel and its default
    settings; return the IPython folder."""
    ipython_dir = lab_dir(root) / "ipython"
    profile = ipython_dir / "profile_default"
    profile.mkdir(parents=True, exist_ok=True)
    config = (
        "# Written by `python -m innobarometer lab`: every kernel JupyterLab starts for this\n"
        "# project reloads changed modules of src/innobarometer/ before each cell.\n"
        f"c.InteractiveShellApp.exec_lines = {list(AUTORELOAD_LINES)!r}\n"
    )
    (profile / "ipython_kernel_config.py").write_text(config, encoding="utf-8")
    write_lab_kernel(root)
    for name, content in LAB_SETTINGS.items():
        settings = lab_dir(root) / "settings" / name
        if not settings.exists():
            settings.parent.mkdir(parents=True, exist_ok=True)
            settings.write_text(content, encoding="utf-8")
    return ipython_dir


def lab_environment(root: Path, base: Mapping[str, str]) -> dict[str, str]:
    """The environment JupyterLab and its kernels run in: the project's profile, kernel (first on
    JUPYTER_PATH), settings and workspaces (not the user's, which other projects share)."""
    jupyter_path = [str(lab_dir(root) / "jupyter")]
    if base.get("JUPYTER_PATH"):
        jupyter_path.append(base["JUPYTER_PATH"])
    return dict(base) | {
        "IPYTHONDIR": str(lab_dir(root) / "ipython"),
        "JUPYTER_PATH": os.pathsep.join(jupyter_path),
        "JUPYTERLAB_SETTINGS_DIR": str(lab_dir(root) / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(lab_dir(root) / "workspaces"),
        "INNOBAROMETER_ROOT": str(root),
    }


def lab_command(root: Path) -> list[str]:
    """`jupyter lab` serving the project, opened on notebooks/, with jupytext's contents manager.

    The server's root is the project (not notebooks/) so that jupytext finds the repository's
    `jupytext.toml` (it looks no higher than the root) and src/ is at hand for editing.
    """
    return [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={root}",
        "--LabApp.default_url=/lab/tree/notebooks",
        f"--ServerApp.contents_manager_class={JUPYTEXT_CONTENTS_MANAGER}",
    ]


def jupyterlab_installed() -> bool:
    """Whether the optional `lab` extra is installed."""
    return importlib.util.find_spec("jupyterlab") is not None


def run_lab_command(args) -> int:
    """`python -m innobarometer lab`: harmonise the active data, then replace this process with
    JupyterLab (so Ctrl-C and its shutdown prompt behave as usual)."""

    if not jupyterlab_installed():
        print(
            "lab: JupyterLab is not installed. Run `make lab`, which installs the optional `lab` "
            "extra (`.venv/bin/python -m pip install -e '.[test,lab]'`) and starts it.",
            file=sys.stderr,
        )
        return 1
    root = paths.project_root()
    try:
        build_data()  # the notebooks' default parameters read build/data/
    except (DataBuildError, DataSetError, InputError) as error:
        print(f"lab: the data is not ready, so notebooks will fail to load it:\n{error}")
    write_lab_profile(root)
    command = lab_command(root)
    print(f"lab: starting JupyterLab on {display_path(root / 'notebooks')}", flush=True)
    os.execve(command[0], command, lab_environment(root, os.environ))
