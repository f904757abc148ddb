# Helpers for rt's bats tests: a busybox bundle per test, a private --root,
# and a teardown that leaves no container, cgroup, mount or temp dir behind.

RT="${RT:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)/rt}"

. "$BATS_TEST_DIRNAME/../lib/rootfs.sh"

# The template rootfs is built once per test run and copied per test
# (or given ready-made in $RT_TEST_ROOTFS: the VM harness builds it on the
# host, where the 400 links cost nothing).
rootfs_template() {
	if [ -n "${RT_TEST_ROOTFS:-}" ]; then
		echo "$RT_TEST_ROOTFS"
		return
	fi
	local t="$BATS_RUN_TMPDIR/rootfs-template"
	if [ ! -x "$t/bin/busybox" ]; then
		make_rootfs "$t.tmp.$$" && mv "$t.tmp.$$" "$t" 2>/dev/null || rm -rf "$t.tmp.$$"
	fi
	echo "$t"
}

# setup_bundle: $BUNDLE with rootfs and a config.json from `rt spec`, made
# runnable without a terminal; $ROOT is this test's private state root and
# $ID a container id unique on the host (the default cgroup path is the id,
# so two test runs at once must not share ids).
setup_bundle() {
	ID="rt-$(basename "$BATS_TEST_FILENAME" .bats)-$BATS_TEST_NUMBER-$$-$RANDOM"
	BUNDLE=$(mktemp -d "$BATS_RUN_TMPDIR/bundle.XXXXXX")
	ROOT=$(mktemp -d "$BATS_RUN_TMPDIR/root.XXXXXX")
	cp -a "$(rootfs_template)" "$BUNDLE/rootfs"
	cp "$(config_template)" "$BUNDLE/config.json"
}

# config_template: `rt spec`'s config made runnable without a terminal,
# made once per test run.
config_template() {
	local t="$BATS_RUN_TMPDIR/config-template.json" d
	if [ ! -s "$t" ]; then
		d=$(mktemp -d "$BATS_RUN_TMPDIR/spec.XXXXXX")
		"$RT" spec --bundle "$d"
		jq '.process.terminal = false | .process.args = ["true"]' "$d/config.json" >"$d/c" && mv "$d/c" "$t"
		rm -rf "$d"
	fi
	echo "$t"
}

# update_config JQ-FILTER: edit the bundle's config.json in place.
update_config() {
	local tmp
	tmp=$(mktemp "$BUNDLE/config.XXXXXX")
	jq "$1" "$BUNDLE/config.json" >"$tmp" && mv "$tmp" "$BUNDLE/config.json"
}

# rt ARGS...: run rt with this test's root.
rt() {
	"$RT" --root "$ROOT" "$@"
}

# teardown_bundle: force-delete every container of this test and remove its dirs.
teardown_bundle() {
	if [ -n "${ROOT:-}" ] && [ -d "$ROOT" ]; then
		local id
		for id in $("$RT" --root "$ROOT" list -q 2>/dev/null); do
			"$RT" --root "$ROOT" delete -f "$id" >/dev/null 2>&1 || true
		done
		rm -rf "$ROOT"
	fi
	[ -n "${BUNDLE:-}" ] && rm -rf "$BUNDLE"
	return 0
}

# state_field ID FIELD: one field of `rt state`.
state_field() {
	rt state "$1" | jq -r ".$2"
}

# wait_for_status ID STATUS: poll until the container is in STATUS (2 s at most).
wait_for_status() {
	local i
	for i in $(seq 1 100); do
		[ "$(state_field "$1" status 2>/dev/null)" = "$2" ] && return 0
		sleep 0.02
	done
	echo "container $1 is $(state_field "$1" status 2>&1), not $2" >&2
	return 1
}

# cgroup_dir ID CONTROLLER: the container's cgroup directory on the host
# for CONTROLLER, from its state: its v1 hierarchy's, else (v2, or a
# controller of the hybrid host's cgroup2 tree) the cgroup2 directory.
cgroup_dir() {
	jq -r --arg c "$2" '.cgroup.paths[$c] // .cgroup.paths.unified' "$ROOT/$1/state.json"
}

# no_cgroup_named NAME: no cgroup directory called NAME exists on the host
# (the default and relative paths sit under rt's own cgroup, a few levels down).
no_cgroup_named() {
	local found
	# find fails when a cgroup of another test vanishes under it: only its output counts
	found=$(find /sys/fs/cgroup -mindepth 2 -maxdepth 6 -type d -name "$1" 2>/dev/null || true)
	[ -z "$found" ] || { echo "left behind: $found" >&2; return 1; }
}

# assert_nothing_left [ID]: nothing of container ID ($ID by default) is
# left on the host: no state dir, no cgroup directory in any hierarchy, no
# mount of the bundle or naming the id in rt's mount namespace, no process
# (before exec the container's process is a fork of rt, its command line
# names the id; after exec its root is the bundle's rootfs).
assert_nothing_left() {
	local id=${1:-$ID} p
	[ ! -e "$ROOT/$id" ] || { echo "left behind: state dir $ROOT/$id" >&2; return 1; }
	no_cgroup_named "$id"
	if grep -F -e "$BUNDLE" -e "$id" /proc/self/mountinfo >&2; then
		echo "left behind: the mounts above" >&2
		return 1
	fi
	if pgrep -f -- "$id" >&2; then
		echo "left behind: the processes above" >&2
		return 1
	fi
	p=$(find /proc -mindepth 2 -maxdepth 2 -name root -lname "$BUNDLE/rootfs" 2>/dev/null || true)
	[ -z "$p" ] || { echo "left behind: processes rooted in the bundle: $p" >&2; return 1; }
}

# run_ok SCRIPT: run `sh -c SCRIPT` in a foreground container; it must exit
# 0; its output (stdout and stderr) is in $output and $lines.
run_ok() {
	update_config "$(printf '.process.args = ["sh", "-c", %s]' "$(jq -Rn --arg s "$1" '$s')")"
	run rt run --bundle "$BUNDLE" "$ID"
	echo "status=$status output=$output"
	[ "$status" -eq 0 ]
}

# wait_until 'SHELL CONDITION': evaluate the condition (quoted, so that it
# is expanded anew each time) until it holds (30 s at most).
wait_until() {
	local _i
	for _i in $(seq 1 300); do
		eval "$1" && return 0
		sleep 0.1
	done
	echo "timed out waiting for: $1" >&2
	return 1
}
