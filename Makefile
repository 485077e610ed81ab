# Two entry points, each doing its own set-up from scratch on a machine with Python 3.11+:
#   make run   - the bot (or the terminal chat when no token is configured)
#   make test  - lint, format check, type check and the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test check bench clean

$(BIN)/azabot: pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: $(BIN)/azabot
	$(BIN)/azabot start

test: $(BIN)/azabot
	$(BIN)/ruff check bot tests bench
	$(BIN)/ruff format --check bot tests bench
	$(BIN)/mypy bot tests bench
	$(BIN)/azabot check faq
	$(BIN)/pytest

bench: $(BIN)/azabot
	$(BIN)/python -m bench.matching
	$(BIN)/python -m bench.telegram
	$(BIN)/python -m bench.reminders

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
