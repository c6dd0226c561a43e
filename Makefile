# Two commands on a fresh machine: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c

.PHONY: run test install migrate seed lint format dev worker beat messages clean bench

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt 2>&1 | { grep -v "WARNING: Location" || true; }
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

## Serve on 127.0.0.1:$(PORT). Without DATABASE_URL: SQLite; without REDIS_URL: tasks in-process.
## DEBUG defaults to 1 for run/dev (and the migrate/seed steps they run); set DEBUG=0 to override.
run dev: export DEBUG ?= 1
run: seed
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## Lint, then the whole suite (PostgreSQL/Redis tests run when DATABASE_URL/REDIS_URL are set).
test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=cabinet.settings_test
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Production-like: web, Celery worker and beat together (needs DATABASE_URL and REDIS_URL).
dev: migrate
	PORT=$(PORT) $(BIN)/honcho start

worker: install
	$(BIN)/celery -A cabinet worker --loglevel=info

beat: install
	$(BIN)/celery -A cabinet beat --loglevel=info

## Refresh the English catalogue: extract, fill from locale/translations/*.json, compile.
messages: export DEBUG ?= 1
messages: install
	$(BIN)/python manage.py makemessages -l en --ignore=.venv --ignore=staticfiles --ignore=tests --no-obsolete
	$(BIN)/python scripts/po_fill.py locale/en/LC_MESSAGES/django.po locale/translations/*.json
	$(BIN)/python manage.py compilemessages -l en --ignore=.venv

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .test_media
