# Rathaus — one command per task. `make help` lists them.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -ec
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Every app's doors (services, selectors, types): checked with mypy --strict by `make lint`.
DOORS = $(shell find src/rathaus -path '*/tests' -prune -o -path '*/migrations' -prune -o -path '*/data' -prune \
  -o \( -name services -o -name selectors -o -name services.py -o -name selectors.py -o -name types.py \) -print \
  | grep -v '^src/rathaus/domain' | sort)
RATHAUS := $(BIN)/rathaus
HOST ?= 127.0.0.1
PORT ?= 8000
# The address the demo prints and puts into e-mails; follows HOST and PORT unless set.
BASE_URL ?= http://$(HOST):$(PORT)
DEMO_RESIDENTS ?= 2000
DEMO_SEED ?= 1
# Extra pytest arguments, e.g. `make test PYTEST_ARGS="-k audit -x"`.
PYTEST_ARGS ?=

.PHONY: help
help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "; printf "Rathaus — make targets:\n\n"} /^[a-zA-Z_-]+:.*## / {printf "  \033[1m%-14s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(BIN)/rathaus: pyproject.toml
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip 2>&1 | { grep -v 'is ignored: it is neither' || true; }
	$(BIN)/pip install --quiet -e '.[dev]' 2>&1 | { grep -v 'is ignored: it is neither' || true; }
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

.PHONY: install
install: $(BIN)/rathaus node_modules/.installed ## Create .venv and install Python and npm packages
	$(RATHAUS) vendor_assets

.PHONY: migrate
migrate: install ## Apply database migrations (embedded SQLite unless DATABASE_URL is set)
	$(RATHAUS) migrate --no-input

.PHONY: demo
demo: migrate ## Load the demo city once (DEMO_RESIDENTS=2000, DEMO_SEED=1); keeps existing data
	RATHAUS_BASE_URL=$(BASE_URL) $(RATHAUS) demo --residents $(DEMO_RESIDENTS) --seed $(DEMO_SEED) --if-empty

.PHONY: run
run: demo ## Set everything up and serve http://HOST:PORT (127.0.0.1:8000) with a background worker; prints the demo logins
	RATHAUS_BASE_URL=$(BASE_URL) $(RATHAUS) demo_logins
	@# A background worker beside the dev server, so tasks (OCR of scans, e-mails) run too; both
	@# put $(BASE_URL) into the links they make.
	export RATHAUS_BASE_URL=$(BASE_URL); \
	  $(RATHAUS) worker --interval 2 & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT; \
	  $(RATHAUS) runserver $(HOST):$(PORT)

.PHONY: worker
worker: install ## Run background tasks
	$(RATHAUS) worker

.PHONY: test
test: install ## Run the test suite (SQLite; PostgreSQL when DATABASE_URL is set), without browser tests
	$(BIN)/pytest -m "not browser and not scale" $(PYTEST_ARGS)

.PHONY: test-scale
test-scale: install ## Two web nodes and two workers on PostgreSQL (DATABASE_URL), Redis and moto's S3 (tests/scale)
	@test -n "$$DATABASE_URL" || { echo "make test-scale needs DATABASE_URL (PostgreSQL)"; exit 2; }
	$(BIN)/pytest -m scale tests/scale $(PYTEST_ARGS)

.PHONY: test-browser
test-browser: install browser ## Run the browser tests in headless Chromium (with axe-core)
	$(BIN)/pytest -m browser $(PYTEST_ARGS)

.PHONY: browser
browser: ## Install Debian's Chromium for browser tests (needs root or sudo)
	@command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-dejavu-core; }

.PHONY: lint
lint: install ## ruff, mypy, import-linter, module and function sizes, migration and translation checks
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/ruff format --check src tests benchmarks tools
	PYTHONPATH=tools $(BIN)/lint-imports
	$(BIN)/python tools/check_sizes.py src
	$(BIN)/mypy --strict --exclude "/tests/" src/rathaus/domain
	$(BIN)/mypy src/rathaus/kernel
	$(BIN)/mypy --strict --follow-imports=silent $(DOORS)
	DJANGO_SETTINGS_MODULE=rathaus.config.settings.test $(RATHAUS) makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=rathaus.config.settings.test $(RATHAUS) check

.PHONY: format
format: install ## Format and autofix with ruff
	$(BIN)/ruff format src tests benchmarks tools
	$(BIN)/ruff check --fix src tests benchmarks tools

.PHONY: messages
messages: install ## Update the .po files and compile them (needs gettext)
	cd src/rathaus && ../../$(RATHAUS) makemessages -l en --no-obsolete --ignore 'static/*'
	cd src/rathaus && ../../$(RATHAUS) compilemessages

.PHONY: bench
bench: install ## Run all benchmarks; JSON goes to benchmarks/results/
	$(BIN)/pip install --quiet -e '.[dev,bench]' 2>&1 | { grep -v 'is ignored: it is neither' || true; }
	$(BIN)/python -m benchmarks

.PHONY: ci
ci: ## What CI runs: lint, tests on SQLite and PostgreSQL, browser tests
	bash .ci/run

.PHONY: clean
clean: ## Remove .venv, node_modules and caches (keeps var/ with your data)
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache

.PHONY: reset
reset: ## Delete the embedded database and stored files in var/
	rm -rf var/
