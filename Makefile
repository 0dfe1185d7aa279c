# `make run` and `make test` both work from a fresh clone: they find Python 3.10, build
# .venv from requirements.lock, train the Rasa model when its inputs changed, and
# create or migrate the database.

VENV := .venv
BIN := $(VENV)/bin
MODEL := models/companion.tar.gz
TRAINING_INPUTS := config.yml domain.yml $(wildcard data/*/*.yml bot/nlu/*.py)
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: run test setup lint validate rasa-test pytest train clean

run: setup
	$(BIN)/companion serve --demo

test: setup lint validate rasa-test pytest

setup: $(VENV)/.installed $(MODEL)
	$(BIN)/companion setup

# Reinstall only when the lock or the project description changes.
$(VENV)/.installed: requirements.lock pyproject.toml scripts/find-python310
	@python=$$(scripts/find-python310) || exit 1; \
	  if [ ! -x $(BIN)/python ] || ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then \
	    rm -rf $(VENV) && $$python -m venv $(VENV); fi
	$(BIN)/python -m pip install --quiet --upgrade pip==24.2
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

# Retrain only when the training data, domain, pipeline or our NLU components change.
$(MODEL): $(VENV)/.installed $(TRAINING_INPUTS)
	$(BIN)/rasa train --fixed-model-name companion --out models

train: $(MODEL)

lint: $(VENV)/.installed
	$(BIN)/ruff check bot tests scripts migrations/env.py
	$(BIN)/ruff format --check bot tests scripts migrations/env.py

validate: $(VENV)/.installed
	$(BIN)/rasa data validate

rasa-test: $(MODEL)
	$(BIN)/rasa test core --model $(MODEL) --stories tests/conversations \
	  --fail-on-prediction-errors --out var/results

pytest: setup
	$(BIN)/pytest

clean:
	rm -rf $(VENV) models var .rasa
