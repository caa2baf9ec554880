# The README's two commands: `make run` and `make test`. Everything else here is a step they use.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# python3.10 may be a pyenv shim that refuses to run outside its version: try the real binaries too.
PY310 := $(shell for p in python3.10 $$HOME/.pyenv/versions/3.10*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10; do \
            $$p -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV   := .venv
PY     := $(VENV)/bin/python
RASA   := $(VENV)/bin/rasa
STAMP  := $(VENV)/.installed

export PYTHONUNBUFFERED := 1
export TF_CPP_MIN_LOG_LEVEL := 3
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export RASA_TELEMETRY_ENABLED := false

.PHONY: help install run cluster cluster-test balancer train test lint validate unit nlu-eval nlu-dev stories e2e security bench browser clean

help:
	@echo "make run    - install if needed, train if data changed, start every service, print the URLs"
	@echo "make test   - lint, data validation, unit tests, NLU evaluation, story tests, end-to-end conversations"
	@echo "make cluster - the production topology on this machine: N Rasa, M action servers, web processes, HAProxy"
	@echo "make security - the security suite alone (hostile input on every channel, API auth, brute force)"
	@echo "make bench  - latency benchmarks (backend, /model/parse, end-to-end turns)"

$(STAMP): pyproject.toml
	@test -n "$(PY310)" || { echo "python3.10 is required (Rasa 3.6 runs on Python <= 3.10)"; exit 1; }
	@test -x $(PY) || $(PY310) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade 'pip<25' wheel 'setuptools<70'
	$(PY) -m pip install -q -e '.[dev]'
	$(PY) -m pip check
	@# `rasa test` with no arguments tests every test_*.yml story file below the current folder, .venv/ included, where
	@# the `rasa init` template ships English examples (greet, mood_great): without them it tests tests/stories only.
	@# Only `rasa init`, which a project never runs again, reads the template. tests/test_rasa_test_defaults.py checks.
	rm -rf "$$($(PY) -c 'import pathlib, rasa; print(pathlib.Path(rasa.__file__).parent / "cli/initial_project/tests")')"
	@touch $(STAMP)

install: $(STAMP)

# Trains only when the data, config, domain or the project's NLU components changed since the model was made
# (bot/training.py keeps their hash in models/courier.inputs.json); `make train TRAIN_FLAGS=--force` retrains.
train: $(STAMP)
	$(PY) -m bot.training $(TRAIN_FLAGS)

run: install train
	$(PY) -m bot.runner

# The production topology on this machine behind HAProxy (docs/scaling.md); counts and ports from the environment,
# e.g. `make cluster CLUSTER_RASA_INSTANCES=3`, or `.venv/bin/python -m bot.cluster --rasa 3 --actions 2`.
cluster: install train balancer
	$(PY) -m bot.cluster

# Debian's HAProxy for the cluster mode and its tests (started by bot/cluster, never as a system service).
balancer:
	@command -v haproxy >/dev/null 2>&1 || test -x /usr/sbin/haproxy || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null; }

# Debian's Chromium for the browser tests (browsers cannot be downloaded from test tools here).
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@# A Chinese font, or the test screenshots show boxes instead of characters.
	@fc-list :lang=zh 2>/dev/null | grep -q . || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null; }

lint: $(STAMP)
	$(VENV)/bin/ruff check bot actions tests

validate: $(STAMP)
	$(RASA) data validate --fail-on-warnings --quiet
	$(PY) -m bot.nlu.entity_alignment

unit: $(STAMP) balancer
	$(VENV)/bin/pytest -q --durations=15 -m "not e2e and not browser" tests

# Issue 2's bar: 0.95 held-out intent accuracy (0.964 at 07b4226). `make test` fails below it.
NLU_MIN_INTENT_ACCURACY ?= 0.95
# Issue 17: entity F1 0.96 (0.972 at the courier tokenizer, 0.954 before it).
NLU_MIN_ENTITY_F1 ?= 0.96
# Both held-out splits, each written independently of the training data: tests/nlu, and tests/nlu_round3 (issue 17's
# third round). The same bars for both.
nlu-eval: train
	$(PY) -m bot.nlu.evaluate --model models/courier.tar.gz --data tests/nlu \
		--min-intent-accuracy $(NLU_MIN_INTENT_ACCURACY) --min-entity-f1 $(NLU_MIN_ENTITY_F1)
	$(PY) -m bot.nlu.evaluate --model models/courier.tar.gz --data tests/nlu_round3 --out results/nlu_eval_round3.json \
		--min-intent-accuracy $(NLU_MIN_INTENT_ACCURACY) --min-entity-f1 $(NLU_MIN_ENTITY_F1)

# The development split: look at its errors freely (the held-out split above is for reporting only).
nlu-dev: train
	$(PY) -m bot.nlu.evaluate --model models/courier.tar.gz --data tests/nlu_dev --out results/nlu_dev.json \
		--min-intent-accuracy 0 --min-entity-f1 0

stories: train
	$(RASA) test core --model models/courier.tar.gz --stories tests/stories --fail-on-prediction-errors --out results/core

# The cluster's end-to-end tests (tests/e2e/test_cluster.py, need HAProxy) run here too; `make cluster-test` runs them alone.
# Two pytest-xdist workers, each with a stack of its own, a module at a time, the slowest modules first
# (tests/e2e/conftest.py): most of an end-to-end test is waiting for a reply, so two share the cores well.
E2E_WORKERS ?= 2
e2e: train browser balancer
	$(VENV)/bin/pytest -q --durations=25 -m "e2e or browser" -n $(E2E_WORKERS) --dist loadfile --no-loadscope-reorder tests

cluster-test: train balancer
	$(VENV)/bin/pytest -q -m cluster tests

# The stages in order, except that the unit tests run while the model trains (training keeps about one core busy,
# the unit tests the other; each stage's output is printed when it ends). The time the whole run took is kept in
# results/make_test.json (`make bench` reports it).
test:
	@started=$$(date +%s); $(MAKE) --no-print-directory lint validate && \
		$(MAKE) --no-print-directory -j2 --output-sync=target unit train && \
		$(MAKE) --no-print-directory nlu-eval stories e2e && \
		mkdir -p results && printf '{"seconds": %d, "finished": "%s"}\n' $$(( $$(date +%s) - started )) \
		"$$(date -Iseconds)" > results/make_test.json

# The security suite alone (docs/security.md); `make test` runs it too, inside unit and e2e.
security: train browser
	$(VENV)/bin/pytest -q -m security tests

bench: install train
	$(PY) -m bot.bench

clean:
	rm -rf results .pytest_cache .ruff_cache
