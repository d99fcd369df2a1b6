# Two commands do all set-up on a fresh machine with Python 3.11: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

CHROMIUM ?= /usr/bin/chromium

.PHONY: demo test lint format benchmarks check-postgres chromium clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

## The demo walk on the embedded SQLite database (./tandem.db, files in ./tandem-demo/).
demo: $(STAMP)
	$(BIN)/tandem demo

## The whole suite: SQLite always, PostgreSQL too when TANDEM_TEST_POSTGRES_URL is set; the browser tests
## need Debian's Chromium, installed here when missing (as root), never skipped.
test: $(STAMP) chromium
	$(BIN)/pytest

chromium:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "The browser tests need Debian's Chromium at $(CHROMIUM): sudo apt-get install chromium"; exit 1; \
	  fi; }

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix src tests benchmarks
	$(BIN)/ruff format src tests benchmarks

benchmarks: $(STAMP)
	$(BIN)/python benchmarks/org_import.py
	$(BIN)/python benchmarks/web_latency.py

## Fails unless the PostgreSQL at TANDEM_TEST_POSTGRES_URL answers.
check-postgres: $(STAMP)
	$(BIN)/python -c "import os; from tandem.db import make_engine; \
	make_engine(os.environ['TANDEM_TEST_POSTGRES_URL']).connect().close(); print('PostgreSQL is up')"

clean:
	rm -rf $(VENV) tandem.db tandem.db-wal tandem.db-shm tandem-demo
