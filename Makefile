# Two set-up commands (see README): `make run` and `make test`.
# Everything installs into .venv from PyPI, including the Node runtime Reflex needs.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed

export PATH := $(BIN):$(PATH)
export REFLEX_USE_NPM := 1
export REFLEX_TELEMETRY_ENABLED := false

.PHONY: run test lint unit e2e browser clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

## Install, migrate the embedded SQLite database, load demo data, run the app.
run: $(STAMP)
	$(BIN)/reflex db migrate
	$(BIN)/python -m prm_app.demo
	@$(BIN)/python -c "from prm_app.services.integrations import mail; print(mail.describe_delivery())"
	$(BIN)/reflex run

## Install what the tests need and run the whole suite: lint, unit, end-to-end + security,
## production (two workers on PostgreSQL and Redis, one killed).
test: $(STAMP) browser lint unit e2e

browser:
	@bash scripts/install-browser.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy | $(BIN)/mypy-baseline filter

# On UNIT_WORKERS pytest-xdist workers, each with its own databases (tests/conftest.py); a
# module's tests stay together, in their order, on one worker. UNIT_WORKERS=0: one process.
UNIT_WORKERS ?= 2

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit tests/reliability -p no:playwright \
		-n $(UNIT_WORKERS) --dist loadfile

e2e: $(STAMP)
	$(BIN)/python -m pytest tests/e2e tests/security
	$(BIN)/python -m pytest tests/production

clean:
	rm -rf $(VENV) .web .states prm.db
