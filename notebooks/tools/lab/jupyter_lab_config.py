"""JupyterLab settings for `make lab`, which passes this file with --config.

These settings travel with the repository and are written nowhere else (not to the
user's home); a learner's own Jupyter settings still apply where they do not clash.
"""
import os
from pathlib import Path

c = get_config()  # noqa: F821 (defined by Jupyter when it loads this file)

# Front-end defaults come from overrides.json in this folder. It answers "No" to the
# "Would you like to get notified about official Jupyter news?" toast, which otherwise
# covers part of the first notebook until clicked, and turns off the check for newer
# JupyterLab releases (this workbook pins its versions). A learner can still turn both
# on in Settings. The default folder for overrides lies inside the venv and is empty.
# overrides.json also renders every cell of a notebook ("defer" windowing, not "full"): with
# only the cells in view rendered, a link to a section of another notebook (the task index in
# 00_start_here) scrolled to the wrong place; with all of them it lands on the heading.
c.LabApp.app_settings_dir = str(Path(__file__).resolve().parent)

# The file browser shows the lessons, not their helpers. Hiding only affects listings:
# the kernels still import workbook.py, and /lab/tree/workbook.py still opens it.
# extend() keeps Jupyter's own patterns (__pycache__, *.pyc, ...).
c.ContentsManager.hide_globs.extend(["conftest.py", "workbook.py", "tools"])

# A Terminal gets the same environment as the kernels (the Makefile puts .venv/bin first
# on PATH). By default, when the server has no TTY (an IDE task, nohup), Jupyter starts a
# login shell, whose /etc/profile resets PATH, so `alembic` is not found; and a user's
# ~/.bashrc may put another Python first (conda, pyenv). Skipping both start-up files is
# the one setting that gives the same PATH with and without a TTY.
if os.name != "nt":
    c.ServerApp.terminado_settings = {"shell_command": ["bash", "--noprofile", "--norc"]}
