#!/usr/bin/env bats
# A container manager driving rt as its runtime: podman (through conmon)
# runs create, start, state, exec --process --tty --console-socket, pause,
# resume, kill and delete with its own flags and parses what rt prints.
# podman's storage and run dir live in a directory of the test, its
# containers' cgroups under a parent of the test's. rt keeps its state in
# its default --root, /run/rt: podman 4.3 passes --runtime-flag to create
# and start but not to delete.

load helpers

setup() {
	setup_bundle
	PD=$(mktemp -d "$BATS_RUN_TMPDIR/podman.XXXXXX")
	mkdir -p "$PD/tmp"
	CGPARENT="/rt-test-podman-$$-$BATS_TEST_NUMBER"
}

teardown() {
	if [ -n "${PD:-}" ]; then
		pm rm -a -f -t 0 >/dev/null 2>&1 || true
		local id
		for id in $(cat "$PD"/cid* 2>/dev/null); do
			"$RT" delete -f "$id" >/dev/null 2>&1 || true
		done
		# What podman leaves on purpose: conmon's cgroup under the parent.
		local d
		for d in /sys/fs/cgroup/*"$CGPARENT"; do
			[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
		done
		rm -rf "$PD"
	fi
	teardown_bundle
}

# pm ARGS...: podman with this test's directories, rt as the runtime, no
# network and no systemd (cgroupfs, events in a file).
pm() {
	timeout 60 podman --root "$PD/storage" --runroot "$PD/run" --tmpdir "$PD/tmp" \
		--storage-driver vfs --cgroup-manager cgroupfs --events-backend file \
		--runtime "$RT" "$@"
}

# The limits podman asks for by default (1048576 open files and
# processes) are above this host's hard limits, and raising a hard limit
# needs CAP_SYS_RESOURCE, which root lacks here: runc fails the same.
LIMITS=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)

run_opts() { echo --network none --cgroup-parent "$CGPARENT" "${LIMITS[@]}" --rootfs "$BUNDLE/rootfs"; }

@test "podman run through rt: output, exit code, terminal, the container's cgroups; nothing left after --rm" {
	# shellcheck disable=SC2046 # one word per option
	run pm run --rm --cidfile "$PD/cid1" $(run_opts) /bin/sh -c 'echo hello; grep -c rt-test-podman /proc/self/cgroup; exit 3'
	echo "$output"
	[ "$status" -eq 3 ]
	[ "${lines[0]}" = hello ]
	[ "${lines[1]}" -ge 8 ] # every v1 hierarchy and the cgroup2 tree (hybrid), or the one v2 line
	# shellcheck disable=SC2046
	run pm run --rm -t --cidfile "$PD/cid2" $(run_opts) /bin/sh -c 'tty'
	[ "$status" -eq 0 ]
	[[ "$output" == /dev/pts/* ]]
	# rt's state for podman's containers is gone, and so are their cgroups.
	[ ! -e "/run/rt/$(cat "$PD/cid1")" ] && [ ! -e "/run/rt/$(cat "$PD/cid2")" ]
	[ -z "$(find /sys/fs/cgroup/*"$CGPARENT" -mindepth 1 -maxdepth 1 -type d -name 'libpod-*' 2>/dev/null)" ]
}

@test "podman run -d, exec, exec -t, pause, unpause, top, kill, rm through rt" {
	# shellcheck disable=SC2046
	id=$(pm run -d --cidfile "$PD/cid" $(run_opts) /bin/sleep 1000)
	[ "$(pm inspect --format '{{.State.Status}}' "$id")" = running ]
	[ "$("$RT" state "$id" | jq -r .status)" = running ]
	run pm exec "$id" /bin/sh -c 'echo exec; id -u; exit 4'
	[ "$status" -eq 4 ]
	[ "$output" = "$(printf 'exec\n0')" ]
	# conmon: exec --process FILE --detach --tty --console-socket SOCKET.
	run pm exec -t "$id" /bin/sh -c 'tty'
	[ "$status" -eq 0 ]
	[[ "$output" == /dev/pts/* ]]
	pm pause "$id"
	[ "$(pm inspect --format '{{.State.Status}}' "$id")" = paused ]
	[ "$("$RT" state "$id" | jq -r .status)" = paused ]
	pm unpause "$id"
	[ "$(pm inspect --format '{{.State.Status}}' "$id")" = running ]
	run pm top "$id" pid comm
	[ "$status" -eq 0 ]
	[[ "$output" == *sleep* ]]
	pm kill -s KILL "$id"
	run pm wait "$id"
	[ "$output" = 137 ]
	pm rm "$id"
	[ ! -e "/run/rt/$id" ]
}
