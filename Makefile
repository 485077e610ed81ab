# Two entry points, each doing its own set-up from scratch on a machine with Python 3.11+:
#   make run   - the bot (or the terminal chat when no token is configured)
#   make test  - lint, format check, type check, the deployment files' checks and the whole test suite
# Everything is installed from the lock files, every file checked against its hash.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# -qq: errors only. pip's warnings about this machine's own package mirrors and setuptools' notes
# about editable installs are not the operator's business (they were 139 lines of `make run`).
PIP := $(BIN)/python -m pip --disable-pip-version-check -qq
# The production install (no test tools), for systemd: make install PREFIX=/opt/azabot/venv
PREFIX ?= /opt/azabot/venv

.PHONY: run test lint-deploy check bench lock install clean

$(BIN)/azabot: pyproject.toml requirements-test.lock
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"'
	@echo "Setting up $(VENV) from requirements-test.lock (first run only)..."
	@$(PYTHON) -m venv $(VENV)
	@$(PIP) install --require-hashes -r requirements-test.lock
	@# setuptools comes from the lock too, so the build needs nothing unchecked from the index.
	@$(PIP) install --no-deps --no-build-isolation -e .
	@touch $@

run: $(BIN)/azabot
	@$(BIN)/azabot start

test: $(BIN)/azabot lint-deploy
	$(BIN)/ruff check bot tests bench
	$(BIN)/ruff format --check bot tests bench
	$(BIN)/mypy bot tests bench
	$(BIN)/azabot check faq
	$(BIN)/pytest

# The Dockerfile with hadolint (from the test lock), the systemd unit with systemd-analyze.
# No container engine runs here, so the image is linted but not built.
lint-deploy: $(BIN)/azabot
	$(BIN)/hadolint Dockerfile
	bash deploy/verify-unit.sh deploy/azabot.service deploy/azabot-backup.service deploy/azabot-backup.timer

bench: $(BIN)/azabot
	$(BIN)/python -m bench.matching
	$(BIN)/python -m bench.triage
	$(BIN)/python -m bench.telegram
	$(BIN)/python -m bench.reminders
	$(BIN)/python -m bench.flood

# Re-pin after changing dependencies in pyproject.toml (needs the index; pip-tools in a scratch venv).
lock:
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip -qq install pip-tools
	for extra in "" test; do \
	  out=requirements$${extra:+-$$extra}.lock; \
	  .venv-lock/bin/pip-compile -q --generate-hashes --allow-unsafe --strip-extras --all-build-deps \
	    --no-emit-index-url --no-emit-find-links --no-emit-options $${extra:+--extra $$extra} \
	    -o $$out pyproject.toml; \
	done
	rm -rf .venv-lock

install:
	$(PYTHON) -m venv $(PREFIX)
	$(PREFIX)/bin/python -m pip --disable-pip-version-check -qq install --require-hashes -r requirements.lock
	$(PREFIX)/bin/python -m pip --disable-pip-version-check -qq install --no-deps --no-build-isolation .

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache build *.egg-info
