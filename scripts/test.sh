#!/usr/bin/env bash
# Runs every test of rt: Go unit tests, then the bats integration tests
# against the freshly built binary, as root, then the cgroup tests in qemu
# guests on the two layouts this host lacks: pure cgroup v2 and pure v1
# (tests/vm/run.sh, ~45 s each; RT_VM_LAYOUTS=v2 runs one, =none skips them).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
export PATH="$PATH:/usr/local/go/bin"
make -s rt recvtty
echo "== go test" >&2
go test -count=1 ./...
echo "== bats" >&2
# A test that hangs fails after 5 minutes instead of holding CI to its limit.
export BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-300}
bats -r tests/integration
layouts=${RT_VM_LAYOUTS:-v2 v1}
if [ "$layouts" != none ]; then
	echo "== vm ($layouts)" >&2
	# shellcheck disable=SC2086 # one word per layout
	tests/vm/run.sh $layouts
fi
