# `make run` and `make test` both work from a fresh clone. Two environments, each from its
# own lock (see the README): Rasa's (.venv-rasa, Python 3.10, requirements-rasa.lock:
# Rasa 3.6 and our NLU components, internal, loopback only) and the product's (.venv,
# Python 3.11, requirements.lock: web app, CLI, action server, tests, on current
# libraries). Each is rebuilt afresh when its lock changes; the Rasa model is retrained only
# when its inputs change; the database is created or migrated.

RASA_VENV := .venv-rasa
RASA_BIN := $(RASA_VENV)/bin
VENV := .venv
BIN := $(VENV)/bin
MODEL := models/companion.tar.gz
# The web pages' stylesheet: GOV.UK Frontend from package-lock.json, built without its brand.
ASSETS := build/assets/companion.css
# The browser tests drive Debian's Chromium (never a browser downloaded by a test tool).
CHROMIUM := /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
TRAINING_INPUTS := config.yml domain.yml $(wildcard data/*/*.yml bot/nlu/*.py)
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: run test setup environments lint validate rasa-test pytest pytest-rasa train bench lock clean

run: setup
	$(BIN)/companion serve --demo

test: setup lint validate rasa-test pytest-rasa pytest

# The safeguarding detector is built once, for the action server (bot/safeguarding/built.py).
setup: environments $(MODEL) $(ASSETS)
	$(BIN)/companion setup
	$(BIN)/python -m bot.safeguarding.detector

# Both environments at once: most of it is unpacking wheels.
environments:
	@$(MAKE) --no-print-directory -j2 $(VENV)/.installed $(RASA_VENV)/.installed

$(RASA_VENV)/.installed: requirements-rasa.lock pyproject.toml scripts/make-venv
	scripts/make-venv $(RASA_VENV) 3.10 requirements-rasa.lock

$(VENV)/.installed: requirements.lock pyproject.toml scripts/make-venv
	scripts/make-venv $(VENV) 3.11 requirements.lock

$(MODEL): requirements-rasa.lock $(TRAINING_INPUTS) | $(RASA_VENV)/.installed
	$(RASA_BIN)/rasa train --fixed-model-name companion --out models

train: $(MODEL)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

$(ASSETS): node_modules/.installed bot/web/styles/companion.scss
	npm run --silent build
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js build/assets/

$(CHROMIUM):
	$(SUDO) apt-get install -y --no-install-recommends chromium || \
	  ($(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends chromium)

lint: $(VENV)/.installed
	$(BIN)/ruff check bot tests scripts bench migrations/env.py
	$(BIN)/ruff format --check bot tests scripts bench migrations/env.py

validate: $(RASA_VENV)/.installed
	$(RASA_BIN)/rasa data validate

rasa-test: $(MODEL)
	$(RASA_BIN)/rasa test core --model $(MODEL) --stories tests/conversations \
	  --fail-on-prediction-errors --out var/results

# Tests of what runs inside Rasa run in Rasa's environment; all the others in the product's,
# in PYTEST_WORKERS processes (each starts its own stack for the end-to-end tests).
PYTEST_WORKERS ?= 2

pytest-rasa: $(RASA_VENV)/.installed
	$(RASA_BIN)/pytest tests/rasa_side

pytest: setup $(CHROMIUM)
	$(BIN)/pytest -n $(PYTEST_WORKERS)

# Our stack beside a bare Rasa bot, figures printed (bench/__main__.py; issue 15's targets).
bench: setup
	$(BIN)/python -m bench

# The product's lock, from requirements.in on current releases; Rasa's is left alone.
lock:
	scripts/lock-product

clean:
	rm -rf $(VENV) $(RASA_VENV) models var .rasa build node_modules
