# Developer and CI entry points. `make test` is what CI runs (.ci/run); `make run` starts a local hub.
SHELL := /bin/bash
# pipefail so that `dotnet ... | tee` fails when dotnet does.
.SHELLFLAGS := -euo pipefail -c

# Where the private PostgreSQL/Redis, their env file and the dev secrets live.
STATE ?= /tmp/agentim-dev
# `make run PORT=3001` when 3000 is taken.
PORT ?= 3000
ENV_FILE := $(STATE)/services.env
SERVICES := AGENTIM_STATE_DIR=$(STATE) scripts/services.sh

PUBLISH_DIR := artifacts/publish
BUILT_BINARY := src/AgentIM/bin/Release/net10.0/linux-x64/agentim

export DOTNET_NOLOGO := 1
export DOTNET_CLI_TELEMETRY_OPTOUT := 1

.PHONY: services services-stop web build check publish run test deb clean

services:
	$(SERVICES) start

services-stop:
	$(SERVICES) stop

# The embedded web app (web/dist, read by the csproj). npm ci runs only when the lockfile is newer than node_modules,
# and again (up to three times) when it left out the bundler's native binding: npm skips an optional dependency whose
# download failed without failing itself, and the build then cannot start.
WEB_NATIVE := @rolldown/binding-linux-x64-gnu
web:
	@echo "web: npm ci (when the lockfile changed) and npm run build"
	@cd web && for attempt in 1 2 3; do \
		[[ node_modules/.package-lock.json -nt package-lock.json && -d node_modules/$(WEB_NATIVE) ]] && break; \
		npm ci --no-audit --no-fund || true; \
	done; \
	[[ -d node_modules/$(WEB_NATIVE) ]] || { echo "web: npm ci did not install $(WEB_NATIVE); run make web again" >&2; exit 1; }
	cd web && npm run build

build: web
	dotnet build AgentIM.sln -c Release

# No C# line in src/ wider than 140 columns (STYLE); `test` runs it first, `build` does not.
check:
	scripts/check-lines.sh

# The AOT binary must stay free of trim/AOT warnings: each one is a place that may break only when published.
publish: web
	rm -rf $(PUBLISH_DIR)
	mkdir -p artifacts
	dotnet publish src/AgentIM/AgentIM.csproj -c Release -o $(PUBLISH_DIR) 2>&1 | tee artifacts/publish.log
	@warnings=$$(grep -E 'warning IL[23][0-9]{3}' artifacts/publish.log | sort -u || true); \
	if [[ -n $$warnings ]]; then \
		printf '%s\n' "$$warnings"; \
		echo "publish: trim/AOT warnings above; fix them (full log: artifacts/publish.log)" >&2; \
		exit 1; \
	fi
	@test -x $(PUBLISH_DIR)/agentim || { echo "publish: $(PUBLISH_DIR)/agentim was not produced" >&2; exit 1; }

# The admin password and JWT secret are made once and kept in $(STATE), so logins and tokens survive restarts.
run: services web
	dotnet build src/AgentIM/AgentIM.csproj -c Release
	@source "$(ENV_FILE)"; \
	umask 077; \
	if [[ ! -s $(STATE)/admin-password ]]; then \
		pw=; \
		until [[ $$pw =~ [[:lower:]] && $$pw =~ [[:upper:]] && $$pw =~ [[:digit:]] && $$pw =~ [^[:alnum:]] ]]; do \
			pw=$$(head -c 15 /dev/urandom | base64 | tr '+/' '._'); \
		done; \
		printf '%s\n' "$$pw" > $(STATE)/admin-password; \
	fi; \
	if [[ ! -s $(STATE)/jwt-secret ]]; then \
		head -c 48 /dev/urandom | base64 -w 0 > $(STATE)/jwt-secret; \
	fi; \
	mkdir -p $(STATE)/uploads; \
	export AGENTIM_ENV=development HOST=127.0.0.1 PORT=$(PORT) ADMIN_USERNAME=admin \
		ADMIN_PASSWORD="$$(< $(STATE)/admin-password)" JWT_SECRET="$$(< $(STATE)/jwt-secret)" \
		UPLOAD_DIR=$(STATE)/uploads; \
	echo; \
	echo "AgentIM hub:     http://127.0.0.1:$(PORT)"; \
	echo "admin username:  $$ADMIN_USERNAME"; \
	echo "admin password:  $$ADMIN_PASSWORD   (kept in $(STATE)/admin-password)"; \
	echo; \
	exec $(BUILT_BINARY) serve

# Ends with one plain "N passed, N failed" line (counted from the TRX results) so CI can read the outcome.
test: check services publish
	rm -rf artifacts/test-results
	source "$(ENV_FILE)"; \
	export AGENTIM_BINARY=$(CURDIR)/$(PUBLISH_DIR)/agentim; \
	status=0; \
	dotnet test AgentIM.sln -c Release --logger "console;verbosity=normal" \
		--logger "trx;LogFileName=results.trx" --results-directory artifacts/test-results || status=$$?; \
	trx=artifacts/test-results/results.trx; \
	counters=$$(grep -o '<Counters [^>]*' $$trx 2>/dev/null || true); \
	passed=$$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<< "$$counters"); \
	failed=$$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<< "$$counters"); \
	passed=$${passed:-0}; failed=$${failed:-0}; \
	tap=artifacts/test-results/web.tap; mkdir -p artifacts/test-results; \
	(cd web && node --experimental-websocket --test --test-concurrency=1 --test-reporter=spec \
		--test-reporter-destination=stdout --test-reporter=tap --test-reporter-destination=../$$tap tests/*.test.mjs) || status=$$?; \
	web_passed=0; web_failed=1; \
	if [[ -s $$tap ]]; then \
		web_passed=$$(awk '/^# pass /{n+=$$3} END{print n+0}' $$tap); \
		web_failed=$$(awk '/^# (fail|cancelled) /{n+=$$3} END{print n+0}' $$tap); \
	fi; \
	echo "browser tests: $$web_passed passed, $$web_failed failed"; \
	passed=$$((passed + web_passed)); failed=$$((failed + web_failed)); \
	head -n 1 artifacts/test-results/contract-routes.txt 2>/dev/null || echo "contract routes exercised: unknown (no coverage file)"; \
	echo "$$passed passed, $$failed failed"; \
	if [[ $$status -eq 0 && $$passed -eq 0 ]]; then echo "test: no test ran" >&2; exit 1; fi; \
	exit $$status

VERSION := $(shell sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' src/AgentIM/AgentIM.csproj)

# The Debian package: binary, hardened unit, env template made into /etc/agentim/agentim.env on first install.
deb: publish
	packaging/deb/build-deb.sh $(VERSION) $(PUBLISH_DIR)/agentim artifacts

clean:
	rm -rf artifacts
	if [[ -d src ]]; then find src -type d \( -name bin -o -name obj \) -prune -exec rm -rf {} +; fi
