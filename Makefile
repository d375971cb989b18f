# Shequ: the two commands are `make demo` and `make test` (see README.md).
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?= -n 2
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup browser demo test test-fast deploy-check lint openapi messages clean bench-registry bench-workorders

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.lock
	test -x $(PY) || python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	touch $@

# Debian's Chromium for the browser tests (never a downloaded browser), and a
# Chinese font so screenshots show characters rather than boxes.
browser:
	@{ command -v chromium >/dev/null 2>&1 && dpkg -s fonts-noto-cjk >/dev/null 2>&1; } || { \
	  echo "Installing Debian's chromium and fonts-noto-cjk for the browser tests (apt-get)..."; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null; }

demo: setup
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py demo_city --if-empty
	$(PY) manage.py workorders_schedule --now
	@echo "Starting the task worker and the web server on http://$(HOST):$(PORT)/ (Ctrl-C stops both)"
	$(PY) manage.py db_worker --queue-name '*' --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT) --noreload

test: setup browser deploy-check
	$(PY) manage.py makemigrations --check --dry-run -v0
	$(PY) -m pytest $(PYTEST_ARGS)

# Production settings must pass Django's deployment checklist and ours (gov.*),
# with throwaway secrets standing in for the real ones.
deploy-check: setup
	env -u DATABASE_URL SHEQU_DEBUG=0 SHEQU_ALLOWED_HOSTS=shequ.example.cn \
	SHEQU_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	SHEQU_FIELD_KEYS=1:$$($(PY) -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())') \
	SHEQU_BLIND_INDEX_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(32))') \
	$(PY) manage.py check --deploy --fail-level WARNING

test-fast: setup
	$(PY) -m pytest $(PYTEST_ARGS) -m "not browser"

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The committed OpenAPI document; a test fails when the API drifts from it.
openapi: setup
	$(PY) manage.py export_openapi_schema --api shequ.api.api --sorted --indent 1 --output docs/openapi.json

# Needs GNU gettext (msgfmt, xgettext). Translate every new or fuzzy entry in
# shequ/locale/en/LC_MESSAGES/django.po, then commit both the .po and the .mo.
MESSAGES_IGNORE := --ignore='$(VENV)/*' --ignore='var/*' --ignore='tests/*' --ignore='docs/*'

messages: setup
	$(PY) manage.py makemessages -l en --no-obsolete $(MESSAGES_IGNORE)
	$(PY) manage.py compilemessages -l en $(MESSAGES_IGNORE)

# The registry benchmark (issue 3 §10) against the local PostgreSQL: a fresh
# database (dropped afterwards unless BENCH_ARGS has --keep), 1,000,000
# residents by default. Not part of `make test`; see docs/performance.md.
BENCH_ARGS ?=
bench-registry: setup
	$(PY) bench/registry.py $(BENCH_ARGS)

# The work-order benchmark (issue 4 §14): 1,000,000 residents and cases in a
# fresh database shequ_bench_wo, gunicorn on loopback; BENCH_ARGS="--small"
# for a one-minute run. Not part of `make test`; see docs/performance.md.
bench-workorders: setup
	$(PY) bench/workorders.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var
