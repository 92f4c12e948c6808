# Two commands do all of the set-up on a fresh Debian/Ubuntu machine:
#   make run    the portal with real reference data and demo content on http://127.0.0.1:8000
#   make test   the whole test suite against PostGIS
# Every step is guarded by a stamp or a check, so running either twice is fast.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMPS := var/stamps
PG_MAJOR := $(shell ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n 1)
PG_MAJOR := $(if $(PG_MAJOR),$(PG_MAJOR),15)
export TZ_DATA_DIR ?= $(abspath ../shared/data)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := postgresql-$(PG_MAJOR) postgresql-$(PG_MAJOR)-postgis-3 \
	postgresql-$(PG_MAJOR)-pgrouting gdal-bin gettext chromium fonts-dejavu-core libzbar0
MANAGE := $(PY) manage.py

.PHONY: help run test bench sysdeps venv vendor db messages migrate data demo lint clean-db

help:
	@echo "make run    set up everything and serve the portal on http://127.0.0.1:8000"
	@echo "make test   set up everything and run the test suite on PostGIS"
	@echo "make bench  benchmarks (lookups, tiles) against raw SQL and TiPg"

$(STAMPS):
	@mkdir -p $(STAMPS)

# System packages: installed only when one of them is missing.
sysdeps: | $(STAMPS)
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi
	@# npm may come with a NodeSource nodejs; Debian's own packages only when there is none.
	@command -v npm >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nodejs npm >/dev/null; }

$(STAMPS)/venv: pyproject.toml | $(STAMPS)
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	@touch $@

venv: sysdeps $(STAMPS)/venv

# Front-end packages from the npm registry, copied into the portal's own static folder.
$(STAMPS)/vendor: package.json package-lock.json scripts/vendor_static.sh | $(STAMPS)
	npm ci --silent --no-audit --no-fund
	scripts/vendor_static.sh
	@touch $@

vendor: sysdeps $(STAMPS)/vendor

db: sysdeps
	@scripts/pgcluster.sh start

messages: venv
	@$(MANAGE) compilemessages --ignore '.venv' --ignore 'node_modules' -v 0

migrate: venv db
	@$(MANAGE) migrate --noinput -v 0

# Reference data is skipped quickly when the same manifest is already loaded.
data: migrate
	@$(MANAGE) load_reference_data --commit

demo: data
	@$(MANAGE) load_demo_data --commit

run: vendor messages demo
	$(MANAGE) runserver 127.0.0.1:8000

test: venv vendor messages db
	$(PY) -m ruff check .
	$(PY) -m pytest

bench: vendor messages data
	$(PY) -m bench

lint: venv
	$(PY) -m ruff check .

# Stops the private cluster and deletes its data, wherever it lives (var/pg or ~postgres).
clean-db:
	@scripts/pgcluster.sh destroy
