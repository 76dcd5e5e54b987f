"""Start JupyterLab as `python -m innobarometer lab` does (harmonise the data, write the lab's
profile, exec JupyterLab), adding a fixed port and token and no browser.

Usage: INNOBAROMETER_ROOT=/tmp/labproject /tmp/labvenv/bin/python start_lab.py 18931 labcheck
"""

import os
import sys

from innobarometer import paths
from innobarometer.harmonise.datasets import build_data
from innobarometer.pipeline import scaffolding as themes

port, token = sys.argv[1], sys.argv[2]
root = paths.project_root()
build_data()
themes.write_lab_profile(root)
command = themes.lab_command(root) + [
    "--no-browser",
    f"--IdentityProvider.token={token}",
    f"--ServerApp.port={port}",
    "--ServerApp.port_retries=0",
]
if os.geteuid() == 0:  # containers run as root, which JupyterLab refuses without this flag
    command.append("--allow-root")
print("lab_check: " + " ".join(command), flush=True)
os.execve(command[0], command, themes.lab_environment(root, os.environ))
