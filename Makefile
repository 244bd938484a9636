# Măng Non — `make run` serves the bot, `make test` runs lint and the whole suite.
# Both create the virtual environment and install what they need on a fresh machine.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: run chat test lint typecheck format pytest content-check bench migrate i18n i18n-check lock lock-upgrade clean help

help:
	@echo "make run      create .venv, install, migrate and serve (web chat on http://127.0.0.1:8080)"
	@echo "make test     install dev tools, then lint, type-check, content check and the whole test suite"
	@echo "make chat     talk to the bot in this terminal"
	@echo "make bench    run the benchmarks (figures go in docs/BENCHMARKS.md)"
	@echo "make migrate  apply database migrations"
	@echo "make format   format the code"
	@echo "make i18n     after changing user-facing strings: extract, update every catalog, build .mo"
	@echo "make lock     after changing dependencies in pyproject.toml: re-resolve the lock files"
	@echo "make lock-upgrade   move every locked package to its newest allowed version"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installs come from the lock files kept in the repo (exact versions: every machine and CI get
# the same), then the project itself without resolving anything again.
$(VENV)/.installed: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml requirements-dev.lock | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@ $(VENV)/.installed

# pip-tools resolves pyproject.toml's dependencies into requirements.lock (run time) and
# requirements-dev.lock (with the dev extra). `make lock` keeps every pin it can (after you add or
# change a dependency); `make lock-upgrade` moves all of them to the newest allowed versions.
PIP_COMPILE = $(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links
$(BIN)/pip-compile: | $(BIN)/python
	$(BIN)/pip install --quiet pip-tools

lock: | $(BIN)/pip-compile
	$(PIP_COMPILE) $(LOCK_FLAGS) --output-file requirements.lock pyproject.toml
	$(PIP_COMPILE) $(LOCK_FLAGS) --extra dev --output-file requirements-dev.lock pyproject.toml

lock-upgrade:
	$(MAKE) lock LOCK_FLAGS=--upgrade

run: $(VENV)/.installed
	$(BIN)/mangnon serve

chat: $(VENV)/.installed
	$(BIN)/mangnon chat

migrate: $(VENV)/.installed
	$(BIN)/mangnon db upgrade

test: $(VENV)/.installed-dev lint content-check i18n-check pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check bot tests bench
	$(BIN)/ruff format --check bot tests bench
	$(BIN)/mypy

# Catalogs: the bot compiles .po in memory at start; .mo files are built here for other tools only
# (they are in .gitignore). `i18n-check` fails when the code has strings the catalogs lack, or when
# vi/en are incomplete; docs/TRANSLATORS.md says what to do.
i18n: $(VENV)/.installed
	$(BIN)/mangnon i18n extract
	$(BIN)/mangnon i18n update
	$(BIN)/mangnon i18n compile

i18n-check: $(VENV)/.installed
	$(BIN)/mangnon i18n check

content-check: $(VENV)/.installed
	$(BIN)/mangnon content check

pytest: $(VENV)/.installed-dev
	$(BIN)/pytest

format: $(VENV)/.installed-dev
	$(BIN)/ruff format bot tests bench
	$(BIN)/ruff check --fix bot tests bench

bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
