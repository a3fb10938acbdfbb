# crmhub — every install step lives here so a fresh machine (or CI) needs nothing else.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
UV_VERSION := 0.13.9
export UV_COMPILE_BYTECODE := 1

.PHONY: help install install-dev demo test test-fast bench airflow lint lock clean db-upgrade pg-ready chromium-ready

help:
	@echo "make demo      install runtime deps, run every crmhub DAG on the embedded PostgreSQL, print the report"
	@echo "make test      install runtime + test deps, run the whole test suite (needs PostgreSQL on 127.0.0.1:5432)"
	@echo "make bench     run benchmarks/ and write benchmarks/results/*.json"
	@echo "make airflow   run Airflow (api-server, scheduler, dag-processor, triggerer) on localhost:8080"
	@echo "make lint      ruff;  make lock  re-lock requirements*.txt from requirements*.in"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)

$(VENV)/.runtime-installed: requirements.txt pyproject.toml | $(BIN)/python
	$(UV) pip sync --python $(BIN)/python requirements.txt
	$(UV) pip install --python $(BIN)/python --no-deps -e .
	@touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt pyproject.toml | $(BIN)/python
	$(UV) pip sync --python $(BIN)/python requirements.txt requirements-dev.txt
	$(UV) pip install --python $(BIN)/python --no-deps -e .
	@touch $(VENV)/.runtime-installed $@

install: $(VENV)/.runtime-installed
install-dev: $(VENV)/.dev-installed

demo: install
	$(BIN)/crmhub demo

pg-ready:
	bash scripts/ensure-postgres.sh

chromium-ready:
	bash scripts/ensure-chromium.sh

test: install-dev pg-ready chromium-ready
	$(BIN)/python -m pytest

test-fast: install-dev pg-ready
	$(BIN)/python -m pytest -m "not slow"

bench: install-dev
	$(BIN)/python benchmarks/run_all.py

airflow: install
	$(BIN)/crmhub airflow

lint: install-dev
	$(BIN)/ruff check include plugins dags tests benchmarks

lock: | $(BIN)/python
	$(UV) pip compile --python-version 3.11 requirements.in -o requirements.txt
	$(UV) pip compile --python-version 3.11 requirements-dev.in -o requirements-dev.txt

db-upgrade: install
	$(BIN)/crmhub db upgrade

clean:
	-$(BIN)/crmhub db stop
	rm -rf .crmhub
