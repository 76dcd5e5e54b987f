"""`make theme NAME=...` (a notebook from the skeleton, picked up by the build) and `make lab` (the
command, its environment, and kernels that autoreload the package)."""

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from innobarometer.__main__ import main
from innobarometer.pipeline import scaffolding as themes
from innobarometer.pipeline.plan import discover_themes

ROOT = Path(__file__).parent.parent
# A small skeleton with both placeholders: a title heading, a parameters cell, a theme name in code.
SKELETON = textwrap.dedent(
    """\
    # %% [markdown]
    # # {{title}}
    # Built for every edition; see the README.

    # %% tags=["parameters"]
    country = "DK"
    edition = 2023
    threshold = 5
    ci_method = "logit"

    # %%
    theme = "{{theme}}"
    """
)


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project root with a notebooks/ folder holding the skeleton and one theme."""
    (tmp_path / "data").mkdir()
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    (notebooks / "_skeleton.py").write_text(SKELETON, encoding="utf-8")
    (notebooks / "overview.py").write_text(SKELETON, encoding="utf-8")
    monkeypatch.setenv("INNOBAROMETER_ROOT", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_make_theme_writes_the_skeleton_with_name_and_title_and_the_build_finds_it(project, capsys):
    assert main(["new-theme", "funding_sources"]) == 0
    created = project / "notebooks" / "funding_sources.py"
    expected = SKELETON.replace("{{title}}", "Funding sources").replace(
        "{{theme}}", "funding_sources"
    )
    assert created.read_text(encoding="utf-8") == expected
    found = {t.name: t.defaults for t in discover_themes(project / "notebooks")}
    assert found["funding_sources"] == {
        "country": "DK",
        "edition": 2023,
        "threshold": 5,
        "ci_method": "logit",
    }
    out = capsys.readouterr().out
    assert "Created notebooks/funding_sources.py" in out
    assert "make all THEMES=funding_sources" in out
    assert "git add notebooks/funding_sources.py" in out
    assert "Warning" not in out


def test_without_a_title_placeholder_the_first_heading_becomes_the_title():
    skeleton = "# %% [markdown]\n# # Theme skeleton\n# ## Setup\n\n# %%\nx = 1\n"
    filled = themes.fill_skeleton(skeleton, "funding", "Funding")
    assert filled == "# %% [markdown]\n# # Funding\n# ## Setup\n\n# %%\nx = 1\n"


def test_a_skeleton_with_no_heading_gets_a_title_cell():
    filled = themes.fill_skeleton("# %%\nx = 1\n", "funding", "Funding")
    assert filled == "# %% [markdown]\n# # Funding\n\n# %%\nx = 1\n"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("Funding", "is not a theme name"),
        ("1funding", "is not a theme name"),
        ("_funding", "names starting with _ are skeletons"),
        ("fund-ing", "is not a theme name"),
        ("", "is not a theme name"),
        ("class", "is not a theme name"),
        ("overview", "notebooks/overview.py exists already"),
        ("data", "is reserved"),
        ("codebook", "is reserved"),
        ("statistics", "shadow it"),
        ("pandas", "shadow it"),
    ],
)
def test_refused_names_say_why_and_write_nothing(project, capsys, name, reason):
    before = sorted(p.name for p in (project / "notebooks").iterdir())
    assert main(["new-theme", name]) == 1
    error = capsys.readouterr().err
    assert reason in error
    assert sorted(p.name for p in (project / "notebooks").iterdir()) == before


def test_a_missing_skeleton_is_named_with_how_to_restore_it(project, capsys):
    (project / "notebooks" / "_skeleton.py").unlink()
    assert main(["new-theme", "funding"]) == 1
    assert "git checkout -- notebooks/_skeleton.py" in capsys.readouterr().err
    assert not (project / "notebooks" / "funding.py").exists()


def test_a_skeleton_without_parameters_cell_warns_that_the_build_skips_it(project, capsys):
    (project / "notebooks" / "_skeleton.py").write_text("# %%\nx = 1\n", encoding="utf-8")
    assert main(["new-theme", "funding"]) == 0
    assert "the build will skip it" in capsys.readouterr().out


def test_the_project_skeleton_makes_a_theme_the_build_picks_up(tmp_path, monkeypatch):
    skeleton = ROOT / "notebooks" / "_skeleton.py"
    (tmp_path / "notebooks").mkdir()
    shutil.copy(skeleton, tmp_path / "notebooks" / "_skeleton.py")
    monkeypatch.setenv("INNOBAROMETER_ROOT", str(tmp_path))
    themes.create_theme("funding")
    assert [t.name for t in discover_themes(tmp_path / "notebooks")] == ["funding"]


# ----------------------------------------------------------------------------- make lab


def test_lab_serves_the_project_opens_notebooks_and_uses_jupytext(tmp_path):
    command = themes.lab_command(tmp_path)
    assert command[:3] == [sys.executable, "-m", "jupyterlab"]
    assert f"--ServerApp.root_dir={tmp_path}" in command
    assert "--LabApp.default_url=/lab/tree/notebooks" in command
    manager = next(a for a in command if a.startswith("--ServerApp.contents_manager_class="))
    module, _, name = manager.split("=", 1)[1].rpartition(".")
    # Importing it needs jupyter_server (the lab extra); the class must exist in jupytext.
    source = Path(__import__("jupytext").__file__).parent / (module.split(".")[-1] + ".py")
    assert f"\n    {name} = " in source.read_text(encoding="utf-8")


def test_lab_environment_points_kernels_at_the_project_profile(tmp_path):
    environment = themes.lab_environment(tmp_path, {"PATH": "/bin", "HOME": "/home/x"})
    assert environment == {
        "PATH": "/bin",
        "HOME": "/home/x",
        "IPYTHONDIR": str(tmp_path / "build" / "lab" / "ipython"),
        "JUPYTER_PATH": str(tmp_path / "build" / "lab" / "jupyter"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "build" / "lab" / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "build" / "lab" / "workspaces"),
        "INNOBAROMETER_ROOT": str(tmp_path),
    }


def test_lab_environment_puts_the_project_kernel_before_the_users_jupyter_path(tmp_path):
    environment = themes.lab_environment(tmp_path, {"JUPYTER_PATH": "/opt/jupyter"})
    project = str(tmp_path / "build" / "lab" / "jupyter")
    assert environment["JUPYTER_PATH"] == f"{project}{os.pathsep}/opt/jupyter"


def test_the_lab_kernel_is_this_python_even_when_the_user_has_another_python3(tmp_path):
    # A user kernel spec named python3 for a Python without the package (as `ipykernel install
    # --user` writes one), which Jupyter finds before the environment's outside a virtualenv.
    user_kernel = tmp_path / "user" / "kernels" / "python3"
    user_kernel.mkdir(parents=True)
    other_python = ["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (user_kernel / "kernel.json").write_text(
        json.dumps({"argv": other_python, "display_name": "Other", "language": "python"})
    )
    themes.write_lab_profile(tmp_path)
    base = dict(os.environ) | {
        "JUPYTER_DATA_DIR": str(tmp_path / "user"),
        "JUPYTER_PREFER_ENV_PATH": "0",
    }
    base.pop("JUPYTER_PATH", None)
    # jupytext gives a .py notebook without a paired .ipynb the kernel whose program is the
    # server's Python; finding none, JupyterLab asks the researcher to pick a kernel.
    probe = (
        "import json; from jupyter_client.kernelspec import get_kernel_spec;"
        "from jupytext.kernels import kernelspec_from_language;"
        "print(json.dumps([get_kernel_spec('python3').argv, kernelspec_from_language('python')]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env=themes.lab_environment(tmp_path, base),
        capture_output=True,
        text=True,
        check=True,
    )
    argv, jupytext_kernel = json.loads(result.stdout)
    assert argv == [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    assert jupytext_kernel == {
        "name": "python3",
        "language": "python",
        "display_name": "Python 3 (innobarometer)",
    }


def test_lab_profile_enables_autoreload_and_opens_py_files_as_notebooks(tmp_path):
    ipython_dir = themes.write_lab_profile(tmp_path)
    from traitlets.config.loader import PyFileConfigLoader

    profile = str(ipython_dir / "profile_default")
    config = PyFileConfigLoader("ipython_kernel_config.py", path=profile).load_config()
    assert config.InteractiveShellApp.exec_lines == ["%load_ext autoreload", "%autoreload 2"]
    settings = tmp_path / "build/lab/settings/@jupyterlab/docmanager-extension"
    viewers = json.loads((settings / "plugin.jupyterlab-settings").read_text())["defaultViewers"]
    assert viewers == {"python": "Jupytext Notebook"}


def test_lab_settings_ask_no_website_for_news_or_updates(tmp_path):
    themes.write_lab_profile(tmp_path)
    settings = tmp_path / "build/lab/settings/@jupyterlab/apputils-extension"
    notification = json.loads((settings / "notification.jupyterlab-settings").read_text())
    assert notification == {"fetchNews": "false", "checkForUpdates": False}


def test_lab_profile_keeps_settings_the_researcher_changed(tmp_path):
    themes.write_lab_profile(tmp_path)
    settings = tmp_path / "build/lab/settings/@jupyterlab/docmanager-extension"
    (settings / "plugin.jupyterlab-settings").write_text('{"defaultViewers": {}}')
    themes.write_lab_profile(tmp_path)
    assert (settings / "plugin.jupyterlab-settings").read_text() == '{"defaultViewers": {}}'


def _run_cell(client, code: str) -> str:
    printed = []

    def keep(message):
        if message["msg_type"] == "stream":
            printed.append(message["content"]["text"])
        elif message["msg_type"] == "error":
            printed.append("\n".join(message["content"]["traceback"]))

    client.execute_interactive(code, output_hook=keep, timeout=30)
    return "".join(printed).strip()


def test_a_kernel_started_with_the_lab_environment_reloads_an_edited_module(tmp_path):
    from jupyter_client.manager import start_new_kernel

    themes.write_lab_profile(tmp_path)
    module = tmp_path / "edited_module.py"
    module.write_text("VALUE = 1\n")
    environment = themes.lab_environment(tmp_path, os.environ)
    manager, client = start_new_kernel(kernel_name="python3", env=environment, cwd=str(tmp_path))
    try:
        assert _run_cell(client, "import edited_module; print(edited_module.VALUE)") == "1"
        module.write_text("VALUE = 2\n")
        later = time.time() + 10  # autoreload compares modification times
        os.utime(module, (later, later))
        assert _run_cell(client, "print(edited_module.VALUE)") == "2"
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_lab_without_jupyterlab_says_to_run_make_lab(monkeypatch, capsys):
    monkeypatch.setattr(themes, "jupyterlab_installed", lambda: False)
    assert main(["lab"]) == 1
    assert "Run `make lab`" in capsys.readouterr().err


def test_lab_harmonises_the_data_then_execs_jupyterlab(project, monkeypatch):
    calls = []

    class Executed(Exception):
        pass

    def fake_execve(program, argv, environment):
        calls.append(("exec", program, argv, environment))
        raise Executed

    monkeypatch.setattr(themes, "jupyterlab_installed", lambda: True)
    monkeypatch.setattr(themes, "build_data", lambda: calls.append(("data",)))
    monkeypatch.setattr(themes.os, "execve", fake_execve)
    with pytest.raises(Executed):
        main(["lab"])
    assert calls[0] == ("data",)
    _, program, argv, environment = calls[1]
    assert (program, argv) == (sys.executable, themes.lab_command(project))
    assert environment["IPYTHONDIR"] == str(project / "build" / "lab" / "ipython")
    assert (project / "build/lab/ipython/profile_default/ipython_kernel_config.py").is_file()
