#!/usr/bin/env bats
# Container managers driving rt as their runtime, with their own flags,
# parsing what rt prints: podman (through conmon), containerd (through its
# runc shim, containerd-shim-runc-v2, as kubernetes uses it) and docker
# (dockerd, its own containerd and that shim, with docker's seccomp
# profile).
# podman's storage and run dir live in a directory of the test, its
# containers' cgroups under a parent of the test's. rt keeps its state in
# its default --root, /run/rt: podman 4.3 passes --runtime-flag to create
# and start but not to delete.

load helpers

# One containerd for the file, with its root, state and socket in a
# directory of its own, and one dockerd. containerd's shims keep fifos and
# sockets under /run/containerd (fixed paths in containerd 1.6), dockerd
# its plugins under /run/docker: each removed after if this file made it.
setup_file() {
	CTD=$(mktemp -d /tmp/rt-ctd.XXXXXX)
	export CTD
	[ -e /run/containerd ] || touch "$CTD/made-run-containerd"
	[ -e /run/docker ] || touch "$CTD/made-run-docker" # dockerd's plugins dir
	cat >"$CTD/config.toml" <<-EOF
	version = 2
	root = "$CTD/root"
	state = "$CTD/state"
	[grpc]
	  address = "$CTD/containerd.sock"
	[plugins."io.containerd.grpc.v1.cri"]
	  disable = true
	EOF
	# Not on bats's fd 3: its shims would hold the test output open.
	timeout 900 containerd --config "$CTD/config.toml" </dev/null >"$CTD/log" 2>&1 3>&- &
	echo $! >"$CTD/pid"
	# dockerd, with its data, its exec root (and the containerd it starts
	# there) and its socket in the same directory; no network of its own.
	timeout 900 dockerd --data-root "$CTD/docker" --exec-root "$CTD/docker-run" --pidfile "$CTD/docker.pid" \
		--host "unix://$CTD/docker.sock" --iptables=false --ip6tables=false --bridge=none \
		--storage-driver vfs --add-runtime "rt=$RT" </dev/null >"$CTD/docker.log" 2>&1 3>&- &
	local i
	for i in $(seq 100); do
		ctr --address "$CTD/containerd.sock" version >/dev/null 2>&1 && break
		sleep 0.1
	done
	for i in $(seq 100); do
		docker -H "unix://$CTD/docker.sock" version >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "containerd or dockerd did not start:" >&2
	cat "$CTD/log" "$CTD/docker.log" >&2
	return 1
}

teardown_file() {
	kill "$(cat "$CTD/pid")" "$(cat "$CTD/docker.pid")" 2>/dev/null
	wait 2>/dev/null
	# A test that failed half-way may leave a snapshot mounted.
	findmnt -rn -o TARGET | grep "^$CTD/" | sort -r | xargs -r umount
	[ -e "$CTD/made-run-containerd" ] && rm -rf /run/containerd
	[ -e "$CTD/made-run-docker" ] && rm -rf /run/docker
	rm -rf "$CTD"
}

setup() {
	setup_bundle
	PD=$(mktemp -d "$BATS_RUN_TMPDIR/podman.XXXXXX")
	mkdir -p "$PD/tmp"
	CGPARENT="/rt-test-podman-$$-$BATS_TEST_NUMBER"
	MADE_RUN_CONTAINERS=
	[ -e /run/containers ] || MADE_RUN_CONTAINERS=1 # podman makes it whatever its --runroot
}

teardown() {
	if [ -n "${CNS:-}" ]; then
		local t
		for t in $(c task ls -q 2>/dev/null); do
			c task kill -s KILL "$t" >/dev/null 2>&1
			c task delete -f "$t" >/dev/null 2>&1
		done
		for t in $(c container ls -q 2>/dev/null); do
			c container delete "$t" >/dev/null 2>&1
		done
		c image rm localhost/rt-test:1 >/dev/null 2>&1
		c namespace remove "$CNS" >/dev/null 2>&1
	fi
	if [ -n "${DOCKER_TEST:-}" ]; then
		dk rm -f $(dk ps -aq) >/dev/null 2>&1
		dk rmi -f rt-test:1 >/dev/null 2>&1
	fi
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
	[ -n "${MADE_RUN_CONTAINERS:-}" ] && rm -rf /run/containers
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

# ctr ARGS...: ctr on this file's containerd, in a namespace of this test.
c() {
	timeout 60 ctr --address "$CTD/containerd.sock" -n "$CNS" "$@"
}

@test "containerd's runc shim through rt: run, exit code, run -d, exec, pause, resume, ps, metrics, kill, delete" {
	CNS="rt-test-$$-$BATS_TEST_NUMBER"
	# The test's rootfs as an OCI image, through podman's own storage.
	tar -C "$BUNDLE/rootfs" -cf "$PD/rootfs.tar" .
	pm import "$PD/rootfs.tar" localhost/rt-test:1 >/dev/null
	pm save --format oci-archive -o "$PD/image.tar" localhost/rt-test:1
	c image import --base-name localhost/rt-test "$PD/image.tar"
	local R=(--runc-binary "$RT" --runc-root "$PD/rt")

	run c run --rm "${R[@]}" localhost/rt-test:1 t1 /bin/sh -c 'echo hello; grep -c "$0" /proc/self/cgroup; exit 7' "$CNS"
	echo "$output"
	[ "$status" -eq 7 ]
	[ "${lines[0]}" = hello ]
	[ "${lines[1]}" -ge 1 ]

	c run -d "${R[@]}" localhost/rt-test:1 t2 /bin/sleep 1000
	[[ "$(c task ls)" =~ t2\ +[0-9]+\ +RUNNING ]]
	# The shim keeps rt's state in --runc-root/NAMESPACE.
	[ "$("$RT" --root "$PD/rt/$CNS" state t2 | jq -r .status)" = running ]
	run c task exec --exec-id e1 t2 /bin/sh -c 'echo exec; exit 3'
	[ "$status" -eq 3 ]
	[ "$output" = exec ]
	c task pause t2
	[[ "$(c task ls)" =~ t2\ +[0-9]+\ +PAUSED ]]
	c task resume t2
	[[ "$(c task ls)" =~ t2\ +[0-9]+\ +RUNNING ]]
	# ps goes through rt ps --format json.
	[[ "$(c task ps t2)" =~ $(c task ls | awk '$1 == "t2" {print $2}') ]]
	[[ "$(c task metrics t2)" == *memory.usage_in_bytes* ]]
	c task kill -s KILL t2
	wait_until '[[ "$(c task ls)" =~ t2\ +[0-9]+\ +STOPPED ]]'
	c task delete t2
	c container delete t2
	c image rm localhost/rt-test:1 >/dev/null
	# Nothing of rt's is left: no state, no cgroup (containerd's default
	# cgroup path is /NAMESPACE/ID; rt made the parent and removed it).
	[ -z "$(ls -A "$PD/rt/$CNS")" ]
	[ -z "$(ls -d /sys/fs/cgroup/*/"$CNS" 2>/dev/null)" ]
}

# dk ARGS...: docker on this file's dockerd.
dk() {
	timeout 60 docker -H "unix://$CTD/docker.sock" "$@"
}

@test "docker through rt: run with docker's seccomp profile, exit code, run -d, exec, pause, top, stats, update, kill, rm" {
	DOCKER_TEST=1
	tar -C "$BUNDLE/rootfs" -cf "$PD/rootfs.tar" .
	dk import "$PD/rootfs.tar" rt-test:1 >/dev/null
	local O=(--runtime rt --network none --cgroup-parent "$CGPARENT")
	run dk run --rm "${O[@]}" rt-test:1 /bin/sh -c 'echo hello; grep ^Seccomp: /proc/self/status; exit 6'
	echo "$output"
	[ "$status" -eq 6 ]
	[ "${lines[0]}" = hello ]
	[[ "${lines[1]}" =~ ^Seccomp:[[:space:]]+2$ ]] # docker's default profile, a filter

	id=$(dk run -d "${O[@]}" rt-test:1 /bin/sleep 1000)
	run dk exec "$id" /bin/sh -c 'echo exec; exit 2'
	[ "$status" -eq 2 ]
	[ "$output" = exec ]
	dk pause "$id"
	[ "$(dk inspect -f '{{.State.Status}}' "$id")" = paused ]
	dk unpause "$id"
	[ "$(dk inspect -f '{{.State.Status}}' "$id")" = running ]
	[[ "$(dk top "$id")" == *"sleep 1000"* ]]
	[[ "$(dk stats --no-stream --format '{{.MemUsage}}' "$id")" == *iB* ]]
	# docker update reaches the cgroup rt made (through rt update).
	dk update --memory 64m --memory-swap 128m "$id" >/dev/null
	memdir=$(find /sys/fs/cgroup/memory -path "*$CGPARENT/*$id*" -maxdepth 6 -type d | head -n 1)
	[ "$(cat "$memdir/memory.limit_in_bytes")" = $((64 << 20)) ]
	dk kill "$id" >/dev/null
	dk rm "$id" >/dev/null
	# rt removed the container's cgroups and the parent it made for them.
	[ -z "$(ls -d /sys/fs/cgroup/*"$CGPARENT" 2>/dev/null)" ]
}
