#!/usr/bin/env bash
# Builds rt and runs one busybox container that shows its isolation: its
# hostname, that it is pid 1, its network and its mounts.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
export PATH="$PATH:/usr/local/go/bin"
make -s rt
. tests/lib/rootfs.sh
work=$(mktemp -d /tmp/rt-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
make_rootfs "$work/bundle/rootfs"
./rt spec --bundle "$work/bundle"
jq '.process.terminal = false | .hostname = "rt-demo" |
    .process.args = ["sh", "-c", "echo \"hostname: $(hostname)\"; echo \"my pid: $$\"; echo processes:; ps; echo network:; ip -o link; echo mounts:; cat /proc/self/mounts"]' \
	"$work/bundle/config.json" >"$work/config.json" && mv "$work/config.json" "$work/bundle/config.json"
echo "+ rt run --bundle $work/bundle demo" >&2
./rt --root "$work/state" run --bundle "$work/bundle" demo
