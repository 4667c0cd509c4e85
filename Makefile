# Two entry points: `make demo` (the main job) and `make test` (the test suite but its slow end-to-end
# tests, which `make test-slow` runs; CI runs both).
# Both create the virtualenv at .venv and install gamecwm into it on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_WORKERS ?= 2

.PHONY: demo test test-slow bench install clean

$(STAMP): pyproject.toml
	@# The sandbox's full isolation needs bubblewrap; without it generated code runs only with --isolation weak.
	@command -v bwrap >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
		&& { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null; } \
		|| echo "note: bubblewrap not installed; install it, or run generated code with --isolation weak"; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@# llama-cpp-python (the llamacpp extra) compiles llama.cpp from source: minutes, once (pip caches the wheel).
	CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) $(BIN)/python -m pip install --quiet -e '.[test,llamacpp]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/gamecwm demo

test: $(STAMP)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) -q

test-slow: $(STAMP)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) -q -m slow

bench: $(STAMP)
	for script in bench/*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
