# Two commands on a fresh machine (Python 3.11+, make):
#   make demo   set up .venv and run the whole cycle on the bundled sample data
#   make test   set up .venv and run the tests (what CI runs): once with the master on SQLite,
#               then again on a throwaway PostgreSQL cluster (skipped without the PostgreSQL
#               server binaries, except in CI; see tests/pgcluster.py)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DIR ?= demo-output

.PHONY: demo test test-sqlite test-postgresql lint setup clean bench

$(BIN)/fujimi-xl: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

setup: $(BIN)/fujimi-xl

demo: setup
	rm -rf $(DEMO_DIR)
	$(BIN)/fujimi-xl demo $(DEMO_DIR)

test: setup
	$(BIN)/python -m pytest -q tests
	FUJIMI_TEST_DB=postgresql $(BIN)/python -m pytest -q tests

test-sqlite: setup
	$(BIN)/python -m pytest -q tests

test-postgresql: setup
	FUJIMI_TEST_DB=postgresql $(BIN)/python -m pytest -q tests

lint: setup
	$(BIN)/ruff check fujimi_xl tests bench
	$(BIN)/mypy fujimi_xl

clean:
	rm -rf $(VENV) $(DEMO_DIR) build dist *.egg-info
