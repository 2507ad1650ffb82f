# Huoli: `make run` serves the app with demo data, `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
STAMP := $(VENV)/.installed

.PHONY: run run-phone phone-programs test test-deploy setup migrate lint format messages clean vendor-jssip

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# axe-core for the accessibility tests (injected into pages by Playwright, never served) and
# html-validate for the valid-HTML test (huoli/tests/test_valid_html.py).
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --ignore-scripts --silent && touch $@; \
	else echo "npm is not installed: the accessibility and valid-HTML tests will be skipped"; fi

# JsSIP, the console's and the "Call us" page's SIP library, is vendored: the npm package has
# no browser bundle, so this bundles it (and its four MIT dependencies) into one minified ES
# module with its licences beside it. A one-time build of a committed file, run again only to
# update JsSIP (package.json pins the version); the app never builds anything at run time.
VENDOR := huoli/core/static/shared/vendor
JSSIP_DEPS := jssip debug events ms sdp-transform
vendor-jssip:
	npm ci --no-audit --no-fund --ignore-scripts --silent
	mkdir -p $(VENDOR)
	echo 'export { default } from "jssip";' | node_modules/.bin/esbuild --bundle --format=esm --minify --legal-comments=none --log-level=warning \
	  --banner:js="/*! JsSIP $$(node -p 'require("jssip/package.json").version') (MIT) with debug, events, ms, sdp-transform (MIT): licences in jssip.LICENSE.txt */" > $(VENDOR)/jssip.min.js
	{ echo "$(VENDOR)/jssip.min.js: JsSIP $$(node -p 'require("jssip/package.json").version') (https://jssip.net/), built by 'make vendor-jssip'"; \
	  echo "with esbuild $$(node_modules/.bin/esbuild --version) from the npm packages below. Each package's licence follows."; \
	  for p in $(JSSIP_DEPS); do echo; echo "==== $$p $$(node -p "require('$$p/package.json').version") ===="; echo; \
	    cat $$(ls node_modules/$$p/LICENSE* node_modules/$$p/license* 2>/dev/null | head -1); done; } > $(VENDOR)/jssip.LICENSE.txt

setup: $(STAMP)
	$(BIN)/python -m huoli.keys
	mkdir -p var/static

migrate: setup
	$(BIN)/python manage.py migrate --no-input -v 0

# Static files are collected (with gzip copies) and served from var/static as in production:
# after changing a static file, run `make run` again.
run: migrate
	HUOLI_COLLECTED_STATIC=1 $(BIN)/python manage.py collectstatic --no-input -v 0
	$(BIN)/python manage.py demo_data --with-contacts
	@echo "Huoli is at http://$(HOST):$(PORT)/ (console: http://$(HOST):$(PORT)/console/)"
	$(BIN)/python manage.py purge
	HUOLI_COLLECTED_STATIC=1 HUOLI_PURGE_DAILY=1 $(BIN)/uvicorn huoli.asgi:application --host $(HOST) --port $(PORT) --no-access-log --lifespan off --ws-per-message-deflate false --ws-max-size 131072 --log-config huoli/logging.json

# The telephone on loopback: rtpengine, Kamailio (SIP udp/tcp 5060, WebSocket 5066) and Huoli.
phone-programs:
	@command -v kamailio >/dev/null && command -v rtpengine >/dev/null || { \
	  echo "The telephone needs Kamailio and rtpengine:"; \
	  echo "  sudo apt-get install -y kamailio kamailio-websocket-modules kamailio-utils-modules rtpengine-daemon"; \
	  exit 1; }

run-phone: phone-programs migrate
	$(BIN)/python manage.py demo_data --with-contacts
	$(BIN)/python manage.py purge
	$(BIN)/python manage.py run_phone --http-url http://$(HOST):$(PORT) --sip-port 5060 --ws-port 5066 --ng-port 2223 --gateway 127.0.0.1:5070

test: setup node_modules/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: $(STAMP)
	cd huoli && ../$(BIN)/python ../manage.py makemessages -l fi -l sv -l en -l ar -l so -l ru -l et -l fa -l ckb -l uk --no-obsolete --add-location file
	cd huoli && ../$(BIN)/python ../manage.py compilemessages

clean:
	rm -rf $(VENV) staticfiles

# The deployment's own tests, against what `sudo deploy/install --server-name huoli.test
# --workers 2 --self-signed` set up on this machine (`.ci/run` does both): not part of `make
# test`, which changes nothing outside the checkout. docs/deploy.md.
test-deploy: setup
	$(BIN)/pytest -p no:cacheprovider deploy/tests
