# Omställningsportalen. `make run` serves the portal, `make test` runs the whole suite.
# Both find a Python >= 3.12 by themselves (scripts/find-python.sh) and set up .venv.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
PYTEST_ARGS ?=

.PHONY: help install run test lint format messages bench e2e clean

help:
	@echo "make run    - set up .venv, migrate, load demo data and serve http://127.0.0.1:8000"
	@echo "make test   - set up .venv, lint and run the whole test suite"
	@echo "make e2e    - the browser journeys (gunicorn, a real Celery worker, chromium); part of make test"
	@echo "make lint   - ruff check and ruff format --check"
	@echo "make bench  - run the benchmarks in bench/ and print their tables"
	@echo "make format - ruff format and ruff check --fix"

$(VENV)/.installed: pyproject.toml scripts/find-python.sh
	@py=$$(scripts/find-python.sh) || exit 1; \
	  if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; raise SystemExit(sys.version_info < (3, 12))' 2>/dev/null; then \
	    echo "Creating $(VENV) with $$py"; rm -rf $(VENV); "$$py" -m venv $(VENV) || exit 1; \
	  fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@

node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else \
	  echo "WARNING: npm not found: Bootstrap is not installed and pages are served without its styles."; \
	fi

install: $(VENV)/.installed node_modules/.installed
	@$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v 0

run: install
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	@if $(PY) scripts/services-configured.py; then \
	  echo "DATABASE_URL and REDIS_URL are set: starting web, Celery worker and Celery beat (Procfile)"; \
	  $(VENV)/bin/honcho start -f Procfile; \
	else \
	  echo "No DATABASE_URL/REDIS_URL: SQLite and eager Celery tasks. Serving http://127.0.0.1:8000"; \
	  $(MANAGE) runserver 127.0.0.1:8000; \
	fi

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: install lint
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "NOTICE: /usr/bin/chromium is missing: browser tests will be SKIPPED (apt-get install chromium)."; \
	fi
	env -u DATABASE_URL $(MANAGE) makemigrations --check --dry-run
	$(PY) -m pytest --ignore=tests/e2e $(PYTEST_ARGS)
	$(MAKE) e2e

# The browser journeys run in a pytest session of their own: they serve the portal with gunicorn
# and a real Celery worker for the whole session, which must not take other tests' tasks.
e2e: install
	$(PY) -m pytest tests/e2e $(PYTEST_ARGS)

messages: $(VENV)/.installed
	$(MANAGE) makemessages -l sv -l en --ignore=.venv --ignore=node_modules --ignore=applications \
	  --ignore=eligibility --ignore=advisors --ignore=registry --ignore=statistics --ignore=tests --ignore=bench \
	  --ignore=omstallning/accounts --ignore=omstallning/core
	@for app in applications applications/yttrande eligibility advisors registry statistics omstallning/accounts omstallning/core; do \
	  if [ -d $$app/locale ]; then (cd $$app && $(CURDIR)/$(MANAGE) makemessages -l sv -l en --ignore='yttrande/*'); fi; \
	done

bench: install
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) node_modules staticfiles build
