#!/usr/bin/env bash
# Runs every test of rt: Go unit tests, then the bats integration tests
# against the freshly built binary, as root.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
export PATH="$PATH:/usr/local/go/bin"
make -s rt recvtty
echo "== go test" >&2
go test -count=1 ./...
echo "== bats" >&2
bats -r tests/integration
