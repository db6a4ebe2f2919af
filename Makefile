# Huimin: `make demo` to see it, `make test` to check it.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HUIMIN := $(VENV)/bin/huimin
HOST ?= 127.0.0.1
PORT ?= 8000
RESIDENTS ?= 20000

.PHONY: demo test lint check test-sqlite test-postgres test-browser test-django-next bench serve clean system-packages

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $@

YEAR := $(shell date +%Y)

# Development secrets, written once; production sets HUIMIN_* in its environment.
# HUIMIN_DEMO=1 lets `huimin demo-totp USER` print the demo accounts' second-factor codes.
.env:
	$(PY) -c "import base64,os,secrets; print('HUIMIN_SECRET_KEY=' + secrets.token_urlsafe(48)); print('HUIMIN_FIELD_KEY=' + base64.b64encode(os.urandom(32)).decode()); print('HUIMIN_AUDIT_KEY=' + base64.b64encode(os.urandom(32)).decode()); print('HUIMIN_DEMO=1')" > .env
	@echo "Wrote development secrets to .env"

demo: $(VENV)/.installed .env
	@# An .env written before the audit key existed gets one (the demo runs as production does).
	@grep -q '^HUIMIN_AUDIT_KEY=' .env || $(PY) -c "import base64,os; print('HUIMIN_AUDIT_KEY=' + base64.b64encode(os.urandom(32)).decode())" >> .env
	scripts/ensure-system-packages.sh fonts
	$(HUIMIN) migrate --noinput -v0
	$(HUIMIN) generate --residents $(RESIDENTS) --no-records
	$(HUIMIN) demo_accounts
	$(HUIMIN) seed-catalog
	$(HUIMIN) seed-plan --year $(YEAR)
	$(HUIMIN) seed-review-rules --year $(YEAR)
	$(HUIMIN) seed-enrollment --year $(YEAR)
	$(HUIMIN) seed-settlements --year $(YEAR)
	$(HUIMIN) seed-review --year $(YEAR)
	$(HUIMIN) seed-mediation
	$(HUIMIN) generate-records --year $(YEAR)
	$(HUIMIN) sync-record-activity
	$(HUIMIN) refresh-due
	$(HUIMIN) quality-run --all
	$(HUIMIN) indicators rebuild
	$(HUIMIN) seed-assessment --year $(YEAR)
	@echo ""
	@echo "Huimin is serving on http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	@echo "Log in with a demo account above, e.g. vdoctor / Huimin@2026 (a village doctor)."
	@echo "Every account that reads personal data beyond one village (all but vdoctor: officers,"
	@echo "the county hospital's cashier and doctor, administrators) also needs a second"
	@echo "factor: in another terminal run"
	@echo "    .venv/bin/huimin demo-totp officer      (or cashier, phofficer, ...)"
	@echo "and type the 6-digit code it prints. Four-eyes steps (activating a plan, confirming"
	@echo "a clearing) need a second officer: officer2, same password, demo-totp officer2."
	$(VENV)/bin/gunicorn -c gunicorn.conf.py huimin.wsgi:application -b $(HOST):$(PORT) -w 2 --threads 4 --access-logfile -

serve: $(VENV)/.installed .env
	$(VENV)/bin/gunicorn -c gunicorn.conf.py huimin.wsgi:application -b $(HOST):$(PORT) -w 2 --threads 4

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

check: $(VENV)/.installed
	HUIMIN_DEBUG=1 HUIMIN_ENV_FILE=/dev/null $(PY) manage.py check
	HUIMIN_DEBUG=1 HUIMIN_ENV_FILE=/dev/null $(PY) manage.py makemigrations --check --dry-run

test-sqlite: $(VENV)/.installed
	$(VENV)/bin/pytest -m "not browser"

test-postgres: $(VENV)/.installed
	scripts/with-postgres.sh $(VENV)/bin/pytest -m "not browser"

test-browser: $(VENV)/.installed
	$(VENV)/bin/pytest -m browser

# System packages the suite uses (Chromium, a CJK font, poppler) come first: PDF
# receipts need the font in every run, not only the browser one.
system-packages:
	scripts/ensure-system-packages.sh all

# The next Django release candidate, when one is published: reported, allowed to fail.
test-django-next: $(VENV)/.installed
	scripts/django-next.sh $(VENV)

test: system-packages lint check test-sqlite test-postgres test-browser test-django-next

bench: $(VENV)/.installed
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) var/static
