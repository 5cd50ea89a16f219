# crossbar_py: `make run` brings the whole stack up on loopback; `make test` runs the whole suite.
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: bootstrap run test lint fmt migrate bench fuzz up down clean

bootstrap:
	@scripts/bootstrap.sh

run: bootstrap
	$(PY) -m crossbar_py run

test: bootstrap
	$(PY) -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

lint: bootstrap
	$(VENV)/bin/ruff check crossbar_py tests bench
	$(VENV)/bin/ruff format --check crossbar_py tests bench
	$(VENV)/bin/mypy

fmt: bootstrap
	$(VENV)/bin/ruff format crossbar_py tests bench
	$(VENV)/bin/ruff check --fix crossbar_py tests bench

migrate: bootstrap
	$(PY) -m crossbar_py migrate

# schemathesis over /v2/openapi.json with its coverage phase and 150 cases per operation (>= 10,000 in all).
fuzz: bootstrap
	CROSSBAR_FUZZ_EXAMPLES=$${CROSSBAR_FUZZ_EXAMPLES:-150} CROSSBAR_FUZZ_PHASES=examples,coverage,fuzzing \
		$(PY) -m pytest -q -s -p no:cacheprovider tests/api/test_schemathesis.py

bench: bootstrap
	$(PY) bench/register_rate.py

up:
	docker compose -f docker/compose.yaml up -d --build

down:
	docker compose -f docker/compose.yaml down

clean:
	rm -rf $(VENV) *.egg-info
