# innobarometer: `make all` builds every report on the active data; `make test` runs the tests.
# Each target is a file where it can be; the build command decides staleness by content hashes.

PYTHON    ?= python3
VENV      := .venv
PY        := $(VENV)/bin/python
STAMP     := $(VENV)/.installed
THEMES    ?=
EDITIONS  ?=
LANGUAGES ?=
DATA      ?=
export DATA

BUILD_FLAGS := $(if $(THEMES),--themes $(THEMES)) $(if $(EDITIONS),--editions $(EDITIONS)) \
               $(if $(LANGUAGES),--languages $(LANGUAGES))

.DEFAULT_GOAL := help
.PHONY: help all data share test lint lab theme translations clean

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

# The build runs even when an edition's data fails, so that the index marks that edition's
# reports failed and every other report is still brought up to date; the exit is non-zero if
# either step failed.
all: $(STAMP) ## build every stale report, the index and the codebook page into build/
	@$(PY) -m innobarometer data; data=$$?; \
	$(PY) -m innobarometer build $(BUILD_FLAGS); build=$$?; \
	test $$data -eq 0 -a $$build -eq 0

data: $(STAMP) ## harmonise and validate every active mapping into build/data/
	$(PY) -m innobarometer data

share: $(STAMP) ## write build/share/: every page, CSV, figure and the data package (no microdata)
	$(PY) -m innobarometer share

test: $(STAMP) ## lint and run the test suite
	$(PY) -m ruff check src tests scripts notebooks
	$(PY) -m pytest

lint: $(STAMP) ## ruff only
	$(PY) -m ruff check src tests scripts notebooks
	$(PY) -m ruff format --check src tests scripts

lab: $(STAMP) ## install JupyterLab (optional extra) and open the theme notebooks
	$(PY) -m pip install --quiet -e '.[test,lab]'
	$(PY) -m innobarometer lab

theme: $(STAMP) ## create notebooks/NAME.py from the common skeleton: make theme NAME=funding
	$(PY) -m innobarometer new-theme $(NAME)

translations: $(STAMP) ## list what each language's catalog lacks; UPDATE=nb,da adds the new keys to those catalogs
	$(PY) -m innobarometer translations $(if $(UPDATE),--update $(UPDATE))

clean: ## remove build outputs (keeps .venv)
	rm -rf build
