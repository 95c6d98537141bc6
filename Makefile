# Linkwell build, demo and test entry points. `make test` is what CI runs.

.PHONY: assets build demo browser-deps test

# CI tells the PostgreSQL store tests that a missing server is a failure, not a skip.
export CI := true

DEMO_DB := linkwell-demo.db

# npm ci runs only when node_modules is missing or older than the lock file.
node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

assets: node_modules/.package-lock.json
	npm run build

build: assets
	go build -o bin/linkwell ./cmd/linkwell

demo: build
	./bin/linkwell migrate --db $(DEMO_DB)
	./bin/linkwell serve --demo --db $(DEMO_DB) --addr 127.0.0.1:8080

# Installs Debian's Chromium (for the browser tests) and PostgreSQL 15 (for the
# store tests) only when they are missing; a fresh CI machine has neither.
browser-deps:
	@test -x /usr/bin/chromium || $(MAKE) --no-print-directory apt-install PKG=chromium
	@test -x /usr/lib/postgresql/15/bin/initdb || $(MAKE) --no-print-directory apt-install PKG=postgresql-15

.PHONY: apt-install
apt-install:
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y $(PKG)

test: browser-deps build
	go vet ./...
	go test -count=1 ./...
	rm -rf test-results
	node --test --test-reporter=spec web/tests/*.test.mjs
