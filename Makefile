# The two commands of the quick start: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test test-postgres lint setup browser css mediawiki library-tools gettext fonts messages demo worker bench bench-wikimedia bench-uploads clean

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,ops]"
	@touch $(STAMP)

# The compiled catalogues (django.mo) are built from the .po files in locale/, never committed.
setup: $(STAMP) gettext fonts
	@if compgen -G "locale/*/LC_MESSAGES/django.po" >/dev/null; then \
	  $(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0; fi

# Debian's gettext (xgettext, msgmerge, msgfmt) extracts and compiles the translations.
gettext:
	@command -v msgfmt >/dev/null 2>&1 && command -v xgettext >/dev/null 2>&1 || { \
	  echo "Installing gettext for the translation catalogues (apt-get)…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends gettext >/dev/null; }

# Debian's fonts-dejavu-core is the PDFs' font: it has Arabic, Greek and Cyrillic letters
# (hub/core/pdf.py); without it the PDFs fall back to Helvetica, Latin-1 only.
fonts:
	@test -f /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf || { \
	  echo "Installing the DejaVu fonts for the PDFs (apt-get)…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends fonts-dejavu-core >/dev/null; }

## make messages: refresh every catalogue in locale/ from the source; ADD=sv starts a new one.
# Translators (or translatewiki.net) edit locale/<code>/LC_MESSAGES/django.po; a language is
# offered in the menu only once its catalogue is complete (hub/core/catalogues.py).
MESSAGES_IGNORE := --ignore=.venv --ignore=node_modules --ignore=var --ignore=staticfiles \
  --ignore=build --ignore=tests --ignore=bench --ignore=*.egg-info
messages: $(STAMP) gettext
	$(BIN)/python manage.py makemessages $(if $(ADD),--locale=$(ADD),--all) --no-obsolete \
	  --add-location=file $(MESSAGES_IGNORE)
	$(BIN)/python manage.py compilemessages $(MESSAGES_IGNORE)

# Debian's Chromium drives the browser journeys (Playwright cannot download browsers here);
# axe-core from npm is injected into their pages, so the tests themselves need no network.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Chromium for the browser tests (apt-get)…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@test -f node_modules/axe-core/axe.min.js -a -f node_modules/@wikimedia/codex/package.json || { \
	  echo "Installing axe-core and Codex for the accessibility and stylesheet checks (npm ci)…"; \
	  npm ci --silent --no-audit --no-fund; }

## make css: rebuild static/css/hub.css, hub-rtl.css and hub/core/codex_icons.json from
# Wikimedia Codex (npm, pinned in package-lock.json) and assets/hub.css; commit the result, so
# `make run` needs no npm. tests/test_codex_build.py fails when the committed files are stale.
css:
	@test -f node_modules/@wikimedia/codex/package.json -a -f node_modules/postcss/package.json || \
	  npm ci --silent --no-audit --no-fund
	node scripts/build_css.mjs

# Debian's MediaWiki 1.39 is the real wiki the Wikimedia client tests run against on 127.0.0.1
# (tests/localwiki.py installs it once into var/cache/localwiki/ and copies it for each test run).
mediawiki:
	@test -f /var/lib/mediawiki/maintenance/install.php && command -v php >/dev/null 2>&1 || { \
	  echo "Installing MediaWiki and PHP for the Wikimedia client tests (apt-get)…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends mediawiki php-sqlite3 php-cli php-curl php-apcu imagemagick \
	    >/dev/null; }

# Debian's poppler-utils draws the first page of a library PDF (pdftoppm) for its preview, and
# LibreOffice (without its desktop parts, about 210 MB) converts office files (DOCX, ODT, PPTX,
# ODP) to PDF first. Both are installed once; a Hub without LibreOffice still reads the text
# of office files, it only shows no picture of their first page.
library-tools:
	@command -v pdftoppm >/dev/null 2>&1 || { \
	  echo "Installing poppler-utils for library previews (apt-get)…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends poppler-utils >/dev/null; }
	@command -v soffice >/dev/null 2>&1 || { \
	  echo "Installing LibreOffice (no desktop) for office file previews (apt-get, ~1 min)…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends libreoffice-core-nogui libreoffice-writer-nogui \
	    libreoffice-impress-nogui >/dev/null; }

## make run: set up, migrate, load the demo data, start the web server and a background worker.
# A development copy (no HUB_SECRET_KEY) with the friendly error pages; tracebacks go to the
# console. Links in e-mails point at the port it serves on. HUB_DEBUG=1 brings Django's debug pages.
RUN_ENV := HUB_SITE_URL=$${HUB_SITE_URL:-http://127.0.0.1:$(PORT)}
run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py load_demo
	@echo "Starting the worker and the web server on http://127.0.0.1:$(PORT)/ (Ctrl+C stops both)"
	@trap 'kill 0' EXIT INT TERM; \
	  $(RUN_ENV) $(BIN)/python manage.py run_worker & \
	  $(RUN_ENV) $(BIN)/python manage.py runserver --noreload 127.0.0.1:$(PORT)

worker: $(STAMP)
	$(RUN_ENV) $(BIN)/python manage.py run_worker

## make test: set up the same way and run the whole suite (SQLite; PostgreSQL too when it answers).
test: setup browser mediawiki library-tools
	$(BIN)/python -m pytest

# The PostgreSQL run leaves out the tests that use no database: they ran on SQLite.
test-postgres: setup browser mediawiki library-tools
	HUB_DATABASE_URL=$${HUB_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/hub} \
	  HUB_REQUIRE_POSTGRES=1 $(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	HUB_TESTING=1 $(BIN)/mypy .
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python bench/run.py

bench-wikimedia: $(STAMP) mediawiki
	$(BIN)/python bench/wikimedia_refresh.py

# pywikibot is installed for this benchmark only (the "bench" extra), never for the app.
bench-uploads: $(STAMP) mediawiki
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[bench]"
	$(BIN)/python bench/uploads.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
