# The two commands a newcomer needs: `make run` and `make test`.
VENV   := .venv
# Debian's own Python 3.11 where there is one: the pyenv 3.11.7 build on these
# machines crashes in the garbage collector (SIGSEGV) under govtrack's larger
# queries, in gunicorn workers and in `flask govtrack health`; Debian's 3.11.2
# runs the same code cleanly (bench/RESULTS.md, "How it was measured").
PYTHON ?= $(firstword $(wildcard /usr/bin/python3.11) python3)
PIP    := $(VENV)/bin/pip
FLASK  := $(VENV)/bin/flask --app wsgi
PYTEST := $(VENV)/bin/pytest
STAMP  := $(VENV)/.installed

.PHONY: run test install system-packages lint bench bench-national bench-county-file-national clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv --clear $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## make run: install, migrate the SQLite database, load the demo county, serve the web app
## and run the reminder scheduler beside it (Procfile, run by honcho; Ctrl-C stops both).
run: $(STAMP)
	$(FLASK) db upgrade
	$(FLASK) govtrack load-demo
	@echo
	@echo "  govtrack is running at http://127.0.0.1:5000/  (Ctrl-C stops it and its scheduler)"
	@echo "  reminder e-mails are written to instance/mail/ unless MAIL_SERVER is set"
	@echo
	$(VENV)/bin/honcho start

## Debian packages the tests use: PostgreSQL 15 (initdb, pg_ctl) and Chromium.
system-packages:
	@missing=""; \
	command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

lint: $(STAMP)
	$(VENV)/bin/ruff check .

## make test: lint, then the whole suite on SQLite (browser tests included), then on PostgreSQL.
test: $(STAMP) system-packages lint
	# The forms' fuzzing runs 100 examples a form on SQLite (the double-submit test one);
	# on PostgreSQL, which is here for the database's own behaviour (NUL, types, locks),
	# 40 a form. `HYPOTHESIS_EXAMPLES=1000 make test` searches harder, for an evening.
	HYPOTHESIS_EXAMPLES=100 $(PYTEST) -q
	GOVTRACK_TEST_DB=postgresql HYPOTHESIS_EXAMPLES=40 $(PYTEST) -q -m "not browser"

bench: $(STAMP)
	$(VENV)/bin/python -m bench.run

## make bench-national: the 10x data set in a throwaway PostgreSQL 15 cluster (7 to 9 minutes).
bench-national: $(STAMP) system-packages
	$(VENV)/bin/python -m bench.run --scale national

## make bench-county-file-national: the county file's export and import at national scale on
## PostgreSQL (a throwaway cluster, or NATIONAL_URL=... for a national data set already
## built; the import goes to a fresh database of that cluster). Long: not part of make test.
bench-county-file-national: $(STAMP) system-packages
	$(VENV)/bin/python -m bench.county_file --scale national \
	  $(if $(NATIONAL_URL),--database-url $(NATIONAL_URL),) $(COUNTY_FILE_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache
