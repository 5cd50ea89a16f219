# crossbar_py: `make run` brings the whole stack up on loopback; `make test` runs the whole suite.
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: bootstrap run test lint fmt migrate bench up down clean

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

bench: bootstrap
	$(PY) bench/register_rate.py

up:
	docker compose -f docker/compose.yaml up -d --build

down:
	docker compose -f docker/compose.yaml down

clean:
	rm -rf $(VENV) *.egg-info
