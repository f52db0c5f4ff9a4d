# The workbook's commands. Run `make help` for the list.
#   make lab      set up (first time only) and start JupyterLab on notebooks/
#   make test     set up (first time only) and run every check, notebooks included
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
# The venv is built by $(PYTHON) (a command name or a full path, e.g.
# PYTHON=$(pyenv root)/versions/3.13.0/bin/python3.13). Its stamp names that Python's version,
# so asking for another version rebuilds the venv instead of reusing the old one.
PYTHON_VERSION := $(shell $(PYTHON) -c 'import sys; print(sys.version.split()[0])' 2>/dev/null)
STAMP := $(VENV)/.installed-from-requirements.txt-python-$(PYTHON_VERSION)
# uv makes the cold install take seconds; pip is the fallback when uv cannot be had.
UV_VERSION := 0.13.8
PORT ?= 8888
NO_BROWSER ?= 0
NB ?= notebooks/[0-9]*.ipynb

# The environment the notebooks' kernels run in, the same for `make test`, `make record`
# and `make lab`, so stored outputs do not depend on the machine (see README):
# the venv's bin first (so `alembic` and `flask` resolve in shell commands), a fixed hash
# seed (set and dict ordering), stable names for cells in warnings, no .pyc files that
# could hide a quick edit to a model file, UTC, and no colours.
export PATH := $(BIN):$(PATH)
export PYTHONHASHSEED := 0
export IPYKERNEL_CELL_NAME := <IPY-INPUT>
export PYTHONDONTWRITEBYTECODE := 1
export PYTHONUTF8 := 1
export TZ := UTC
export NO_COLOR := 1
export JUPYTER_PLATFORM_DIRS := 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1
# workbook.py (the notebooks' helpers) imports from anywhere, learner copies included.
export PYTHONPATH := $(CURDIR)/notebooks
# No virtualenv of the caller's may leak in; no app config, database URL or Alembic config file either.
unexport VIRTUAL_ENV CONDA_PREFIX SAMPLE_APP_CONFIG DATABASE_URL ALEMBIC_CONFIG

ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)
BROWSER_FLAG := $(if $(filter 1 yes true,$(NO_BROWSER)),--no-browser,)

.PHONY: help setup lab test record exercises navigation requirements clean browser-check pg-stop

help:
	@echo "make lab      set up if needed, then start JupyterLab (PORT=$(PORT), NO_BROWSER=1 to not open a browser)"
	@echo "make test     set up if needed, then run app, migration and notebook checks"
	@echo "make record   re-execute notebooks in place after an intended output change (NB=path to pick one)"
	@echo "make exercises   write learner copies (solutions stubbed) to notebooks/exercises/"
	@echo "make navigation  regenerate the previous/index/next links and the map in 00_start_here"
	@echo "make requirements   regenerate requirements.txt and environment.yml from requirements.in"
	@echo "make browser-check   optional: run every notebook in headless Chromium (PLAYWRIGHT_PYTHON=python with playwright)"
	@echo "make clean    stop local PostgreSQL servers; remove the venv, notebook workspaces and caches"
	@echo "make pg-stop  stop the local PostgreSQL servers that notebooks and tests started, if any are left"

setup: $(STAMP)

# Rebuilt from scratch whenever requirements.txt changes, so the venv holds exactly the pins.
# Bytecode is compiled at install time (pip does so by default; uv only when asked):
# PYTHONDONTWRITEBYTECODE below would otherwise make every kernel and every `alembic`
# call compile SQLAlchemy and Alembic from source again, about 1 s each.
$(STAMP): requirements.txt
	@# A pyenv shim for a version that is not selected exits non-zero with pyenv's own advice.
	@if [ -z "$(PYTHON_VERSION)" ]; then \
	  echo "Cannot run PYTHON=$(PYTHON):"; { $(PYTHON) --version 2>&1 || true; } | head -6 | sed 's/^/  /'; \
	  echo "Give a Python 3.11 or newer that runs, by name or full path, e.g. make test PYTHON=/usr/bin/python3.11"; \
	  exit 1; fi
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; $(PYTHON) is " + sys.version.split()[0] + ". Run: make PYTHON=python3.11 ...")'
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	@if command -v uv >/dev/null 2>&1; then UV=uv; \
	elif $(VENV)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION); then UV=$(VENV)/bin/uv; \
	else UV=; echo "uv could not be installed; using pip (slower)"; fi; \
	if [ -n "$$UV" ]; then \
	  echo "Installing requirements.txt with $$UV"; \
	  UV_PYTHON_DOWNLOADS=never $$UV pip install --quiet --compile-bytecode --python $(VENV)/bin/python -r requirements.txt; \
	else \
	  $(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt; \
	fi
	touch $@

lab: $(STAMP)
	@echo "Starting JupyterLab on notebooks/. Open the http://127.0.0.1:$(PORT)/lab?token=... link it prints below."
	$(BIN)/jupyter lab --config=$(CURDIR)/notebooks/tools/lab/jupyter_lab_config.py --notebook-dir=notebooks --ip=127.0.0.1 --port=$(PORT) $(BROWSER_FLAG) $(ALLOW_ROOT)

# Two workers; --dist loadfile keeps each notebook (and each test module) on one worker.
# ARGS narrows the run, e.g. make test ARGS=notebooks/01_alembic_init.ipynb
ARGS ?=
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile --nbval --nbval-current-env -p no:cacheprovider $(ARGS)

record: $(STAMP)
	$(BIN)/python notebooks/tools/record.py $(NB)

# environment.yml repeats the pins for conda users; tests/test_environment.py checks they agree.
exercises: $(STAMP)
	$(BIN)/python notebooks/tools/exercises.py notebooks/exercises $(NB)
	@echo "Learner copies are in notebooks/exercises/: open them in JupyterLab (make lab)."

navigation: $(STAMP)
	$(BIN)/python notebooks/tools/navigation.py

# Optional and not part of `make test`: needs Chromium and a Python with Playwright, which
# requirements.txt leaves out (see README). Skips with a message when either is missing.
PLAYWRIGHT_PYTHON ?= python3
browser-check: $(STAMP)
	$(PLAYWRIGHT_PYTHON) notebooks/tools/browser_check.py

requirements: $(STAMP)
	$$(command -v uv || echo $(BIN)/uv) pip compile --universal --python-version 3.11 --quiet \
	  requirements.in -o requirements.txt
	{ echo "# Generated by \`make requirements\` from requirements.txt: edit requirements.in instead."; \
	  echo "# conda env create -f environment.yml && conda activate alembic-workbook"; \
	  echo "name: alembic-workbook"; \
	  echo "channels: [conda-forge]"; \
	  echo "dependencies:"; \
	  echo "  - python=3.11"; \
	  echo "  - pip"; \
	  echo "  - pip:"; \
	  sed -n 's/^\([A-Za-z0-9].*\)$$/      - "\1"/p' requirements.txt; } > environment.yml

# Every notebook kernel and test worker starts a PostgreSQL server of its own, which stops when that
# process ends (notebooks/local_postgres.py); this stops any that are still running, and removes their data.
pg-stop:
	$(PYTHON) notebooks/local_postgres.py stop

clean: pg-stop
	rm -rf $(VENV) notebooks/workspace notebooks/exercises instance .pytest_cache
	find . -name __pycache__ -type d -prune -not -path './.git/*' -exec rm -rf {} +
