# kubenet: `make run` serves the app (embedded mode), `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test install migrate demo worker serve lint bench clean check-deploy

$(BIN)/.installed: requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.lock
	touch $@

install: $(BIN)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py setup_local --demo demo/demo.yaml --url http://$(HOST):$(PORT)

# Embedded mode: SQLite in var/ and Celery on the filesystem transport in var/celery, with
# a worker started beside the development server (stopped with it).
run: demo
	@mkdir -p var/celery/queue var/celery/processed
	@$(BIN)/celery -A kubenet_site.celery worker --pool=solo --loglevel=WARNING --logfile=var/worker.log & \
	  WORKER=$$!; trap "kill $$WORKER 2>/dev/null" EXIT INT TERM; \
	  echo "kubenet: worker $$WORKER started (log: var/worker.log)"; \
	  $(PY) manage.py runserver $(HOST):$(PORT)

# Before pytest: Chromium, PostgreSQL and Redis, installed or started when possible, else one
# line saying what to install (scripts/test-prereqs.sh).
test: install
	@scripts/test-prereqs.sh
	$(BIN)/ruff check .
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

# The full check at tiny..large (BENCHMARKS.md; exit 1 when a median passes twice its target),
# through real workers when PostgreSQL and Redis answer; BENCH_SIZES=...,xlarge opts in to 50,000 pods.
BENCH_SIZES ?= tiny,small,medium,large
bench: install
	$(PY) bench/full_check.py --sizes $(BENCH_SIZES) --workers
	$(PY) bench/run_bench.py --sizes 2000,10000
	$(PY) bench/bench_pages.py --pods 10000
	$(PY) bench/bench_matrix_pages.py

check-deploy: install
	DJANGO_SETTINGS_MODULE=kubenet_site.settings.production $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var staticfiles
