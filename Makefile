# make run   - install, migrate, load the demo data when the database is empty, serve on :5000
#              with the notification worker (notify-worker) running beside it
# make test  - install and run the whole suite (SQLite; PostgreSQL when TEST_DATABASE_URL is set)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi
# `make run` is for a developer's machine: development is asked for explicitly (the app is
# production, with a generated instance/secret_key, unless APP_ENV=development).
DEV    := APP_ENV=development
DEMO_PASSWORD ?= demo-pass-123

.PHONY: install run test e2e bench lint audit clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(DEV) $(FLASK) db upgrade
	$(DEV) $(FLASK) seed-demo --if-empty --password "$(DEMO_PASSWORD)"
	@echo "เปิด http://127.0.0.1:5000  ผู้ใช้ legal / head / deputy / mayor / records / admin  รหัสผ่าน $(DEMO_PASSWORD)"
	@# The notification worker (Huey on instance/huey.sqlite3) runs beside the site and stops with it.
	@$(DEV) $(FLASK) notify-worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEV) $(FLASK) run --host 127.0.0.1 --port 5000

test: install
	$(BIN)/pytest

e2e: install
	@test -x /usr/bin/chromium || (apt-get update && apt-get install -y chromium)
	$(BIN)/pytest -o addopts="" -p no:cacheprovider tests/e2e

bench: install
	$(BIN)/python bench/web.py
	$(BIN)/python bench/pdf.py
	$(BIN)/python bench/plan.py
	$(BIN)/python bench/remind.py

lint: install
	$(BIN)/ruff check .

# make audit - bandit (medium+ severity) and pip-audit of the pinned runtime requirements.
# Known vulnerabilities fail; when the vulnerability service cannot be reached (or cannot
# see our packages) the target says so loudly and does not fail the build.
audit: install
	$(BIN)/bandit -q -r approval -ll
	@out=$$($(BIN)/pip-audit -r requirements.txt --progress-spinner off 2>&1); rc=$$?; echo "$$out"; \
	if echo "$$out" | grep -qiE "known vulnerabilit(y|ies) in|^Name +Version +ID"; then \
		echo "pip-audit: KNOWN VULNERABILITIES (above)"; exit 1; \
	elif [ $$rc -ne 0 ] || echo "$$out" | grep -q "could not be audited"; then \
		n=$$(echo "$$out" | grep -c "could not be audited"); \
		echo "WARNING: pip-audit could not reach its vulnerability service (or it could not see $$n of our packages): dependencies NOT audited on this machine"; \
	else echo "pip-audit: no known vulnerabilities"; fi

clean:
	rm -rf $(VENV) instance .pytest_cache
