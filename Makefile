# make run   - install, migrate, load the demo data when the database is empty, serve on :5000
# make test  - install and run the whole suite (SQLite; PostgreSQL when TEST_DATABASE_URL is set)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi
DEMO_PASSWORD ?= demo-pass-123

.PHONY: install run test e2e bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty --password "$(DEMO_PASSWORD)"
	@echo "เปิด http://127.0.0.1:5000  ผู้ใช้ legal / head / deputy / mayor / records / admin  รหัสผ่าน $(DEMO_PASSWORD)"
	$(FLASK) run --host 127.0.0.1 --port 5000

test: install
	$(BIN)/pytest

e2e: install
	@test -x /usr/bin/chromium || (apt-get update && apt-get install -y chromium)
	$(BIN)/pytest -o addopts="" -p no:cacheprovider tests/e2e

bench: install
	$(BIN)/python bench/web.py
	$(BIN)/python bench/pdf.py
	$(BIN)/python bench/plan.py

lint: install
	$(BIN)/ruff check approval tests

clean:
	rm -rf $(VENV) instance .pytest_cache
