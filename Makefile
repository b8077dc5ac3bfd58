# daodi — the two commands: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/daodi
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_FLAGS ?= -q
export DJANGO_SETTINGS_MODULE := daodi.settings

.PHONY: demo demo-smoke serve test lint runtime-deps format test-sqlite test-pg test-browser bench bench-sourcing bench-pages \
        system-deps postgres \
        messages migrate clean vendor

# --- environment ---------------------------------------------------------------------------
$(BIN)/.installed: requirements/dev.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements/dev.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $@

# Debian packages, installed only where missing. Running the platform needs gettext (to compile
# translations), Pango (WeasyPrint's text layout), the Noto CJK fonts (Chinese in PDFs) and
# HarfBuzz's subsetter (without it WeasyPrint subsets the CJK font in Python, ~5 s a PDF);
# the tests also need Chromium for
# browser tests, zbar to read printed QR codes back and poppler to render PDFs.
define apt_install
	@missing=""; for pair in $(1); do cmd=$${pair%%:*}; pkg=$${pair##*:}; \
	  if [ "$$cmd" = fonts ]; then fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing="$$missing $$pkg"; \
	  elif [ "$$cmd" = pango ]; then ldconfig -p | grep -q libpangoft2-1.0 || missing="$$missing $$pkg"; \
	  elif [ "$$cmd" = hb-subset ]; then ldconfig -p | grep -q libharfbuzz-subset || missing="$$missing $$pkg"; \
	  else command -v $$cmd >/dev/null || missing="$$missing $$pkg"; fi; done; \
	if [ -n "$$missing" ]; then echo "Installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; fi
endef

runtime-deps:
	$(call apt_install,msgfmt:gettext fonts:fonts-noto-cjk pango:libpangoft2-1.0-0 hb-subset:libharfbuzz-subset0)

system-deps: runtime-deps
	$(call apt_install,chromium:chromium zbarimg:zbar-tools pdftoppm:poppler-utils curl:curl)

# PostgreSQL on 127.0.0.1:5432: use the running server, else start the installed cluster,
# else install Debian's server and start it.
postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 && exit 0; \
	SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then \
	  echo "Installing PostgreSQL"; $$SUDO apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql >/dev/null; \
	  v=$$(ls /etc/postgresql | sort -n | tail -1); \
	  $$SUDO sed -i 's/^\(local\|host\)\(.*\)\(peer\|scram-sha-256\|md5\)$$/\1\2trust/' /etc/postgresql/$$v/main/pg_hba.conf; \
	fi; \
	v=$$(ls /etc/postgresql | sort -n | tail -1); \
	$$SUDO pg_ctlcluster --skip-systemctl-redirect $$v main start || true; \
	for i in $$(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && exit 0; sleep 1; done; \
	echo "PostgreSQL did not start on 127.0.0.1:5432"; exit 1

messages: $(BIN)/.installed runtime-deps
	@cd daodi && ../$(BIN)/daodi compilemessages -v0 -l zh_Hans

migrate: $(BIN)/.installed messages
	$(BIN)/daodi migrate -v0

# --- the two commands ----------------------------------------------------------------------
demo: migrate
	@$(BIN)/daodi demo --if-empty
	@$(BIN)/daodi collectstatic --noinput -v0
	@echo; echo "daodi is serving at http://$(HOST):$(PORT)/  (Ctrl-C stops it)"; echo
	$(BIN)/daodi runserver $(HOST):$(PORT)

test: lint test-sqlite test-pg test-browser demo-smoke

lint: $(BIN)/.installed messages
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/python scripts/check_translations.py
	$(BIN)/daodi makemigrations --check --dry-run -v0

test-sqlite: $(BIN)/.installed messages system-deps
	DATABASE_URL= $(BIN)/pytest $(PYTEST_FLAGS) -m "not browser"
	@# Writers at once (threads with connections of their own) need the test database in a file.
	@mkdir -p var
	DATABASE_URL= SQLITE_TEST_FILE=var/test-writers.sqlite3 $(BIN)/pytest $(PYTEST_FLAGS) \
		daodi/sourcing/tests/test_purchase_committed.py

test-pg: $(BIN)/.installed messages system-deps postgres
	DATABASE_URL=$(PG_URL) $(BIN)/pytest $(PYTEST_FLAGS) -m "not browser"

test-browser: $(BIN)/.installed messages system-deps
	DATABASE_URL= DAODI_BROWSER_TESTS=1 $(BIN)/pytest $(PYTEST_FLAGS) -m browser

# `make demo` without the foreground server: loads a throw-away demo county, serves it, checks
# the zh-hans home page.
demo-smoke: $(BIN)/.installed messages
	scripts/demo_smoke.sh

bench: bench-sourcing bench-pages $(BIN)/.installed messages postgres
	$(BIN)/python -m bench

# The heaviest pages of each role in headless Chromium at 390 px on the demo county (minutes).
bench-pages: $(BIN)/.installed messages
	$(BIN)/python -m bench.pages

# The buying network alone: the county's mass balance and purchases through the API (minutes).
bench-sourcing: $(BIN)/.installed messages postgres
	$(BIN)/python -m bench.sourcing

format: $(BIN)/.installed
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

vendor:
	scripts/vendor_assets.sh

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
