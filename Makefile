# The two commands. Everything they need is installed by scripts/dev.sh when missing.
SHELL := /bin/bash
PYTEST_ARGS ?=

.PHONY: run test setup bench lock

run:  ## install what is missing, set up, serve CKAN on http://127.0.0.1:5000
	@bash scripts/dev.sh run

test:  ## the same setup where needed, then the whole test suite (real PostgreSQL and Redis)
	@bash scripts/dev.sh test $(PYTEST_ARGS)

setup:  ## everything `make run` does except serving
	@bash scripts/dev.sh setup

bench:  ## benchmarks in a database of their own (ckan_bench, bench.ini): prints the figures
	@bash scripts/dev.sh bench

lock:  ## regenerate requirements/lock.txt
	@bash scripts/lock.sh
