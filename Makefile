# Two commands get you going:  make demo   (install + run a shipped scenario)
#                              make test   (install + the test suite)
VENV ?= .venv
PY := $(VENV)/bin/python
SCENARIO ?= scenarios/touchpoint_management.yaml

.PHONY: demo test test-all bench install

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || "$$(tools/find-python)" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	$(PY) -m sim.model.kernels  # build the compiled kernels once, not on the first run's first day
	@touch $@

install: $(VENV)/.installed

demo: $(VENV)/.installed
	$(PY) run.py run $(SCENARIO) --seed 7

# The default run: every test and every notebook (at small sizes), on every core (pytest-xdist).
test: $(VENV)/.installed
	$(PY) -m pytest -q

# Also the slow tests: the notebooks at full size, the benchmarks' guards, coverage checks.
test-all: $(VENV)/.installed
	$(PY) -m pytest -q -m "slow or not slow"

# The speed tables, then issue 26's table: today's code (a git worktree) against this checkout.
bench: $(VENV)/.installed
	$(PY) -m benchmarks.bench
	$(PY) -m benchmarks.random_streams
	$(PY) -m benchmarks.multi_year
