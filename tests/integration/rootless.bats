#!/usr/bin/env bats
# Rootless rt: a real unprivileged user (made here, removed in teardown) runs
# rt with setpriv, on a bundle and a --root it owns, with the config of
# `rt spec --rootless`. Cgroups it was not delegated are skipped; asking for
# a limit there is an error; a delegated cgroup is used.

load helpers

setup() {
	ID="rt-rootless-$BATS_TEST_NUMBER-$$-$RANDOM"
	RL_USER="rtrl$$n$BATS_TEST_NUMBER"
	useradd -m -s /bin/sh "$RL_USER"
	RL_UID=$(id -u "$RL_USER")
	RL_GID=$(id -g "$RL_USER")
	# Everything the user touches is under a 0755 dir the user owns: the
	# bats temp dir is root's and 0700.
	RL_DIR=$(mktemp -d /tmp/rt-rootless.XXXXXX)
	chmod 755 "$RL_DIR"
	BUNDLE="$RL_DIR/bundle"
	ROOT="$RL_DIR/state"
	mkdir -p "$BUNDLE" "$RL_DIR/xdg"
	cp -a "$(rootfs_template)" "$BUNDLE/rootfs"
	chmod 1777 "$BUNDLE/rootfs/tmp"
	chown -R "$RL_UID:$RL_GID" "$RL_DIR"
	chmod 700 "$RL_DIR/xdg"
	as_user "$RT" spec --rootless --bundle "$BUNDLE"
	update_config '.process.terminal = false | .process.args = ["true"] | .root.readonly = false'
}

teardown() {
	if [ -n "${ROOT:-}" ] && [ -d "$ROOT" ]; then
		local id
		for id in $(as_user "$RT" --root "$ROOT" list -q 2>/dev/null); do
			as_user "$RT" --root "$ROOT" delete -f "$id" >/dev/null 2>&1 || true
		done
	fi
	local d
	for d in /sys/fs/cgroup/*/"$(delegated_name)"; do
		[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} +
	done
	[ -n "${RL_DIR:-}" ] && rm -rf "$RL_DIR"
	[ -n "${RL_USER:-}" ] && userdel -r "$RL_USER" 2>/dev/null
	return 0
}

# as_user CMD...: run CMD as the unprivileged user, with a clean environment.
as_user() {
	setpriv --reuid="$RL_UID" --regid="$RL_GID" --init-groups \
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="/home/$RL_USER" XDG_RUNTIME_DIR="$RL_DIR/xdg" "$@"
}

# rtu ARGS...: rt as the user, with this test's root.
rtu() {
	as_user "$RT" --root "$ROOT" "$@"
}

# update_config as root keeps the file the user's.
update_config() {
	local tmp
	tmp=$(mktemp "$BUNDLE/config.XXXXXX")
	jq "$1" "$BUNDLE/config.json" >"$tmp" && mv "$tmp" "$BUNDLE/config.json"
	chown "$RL_UID:$RL_GID" "$BUNDLE/config.json"
	chmod 644 "$BUNDLE/config.json"
}

# own_cgroup CONTROLLER: the user's own v1 cgroup directory, where rt puts a
# container's cgroup for the default (relative) cgroupsPath.
own_cgroup() {
	echo "/sys/fs/cgroup/$1$(as_user awk -F: -v c="$1" '$2 == c {print $3}' /proc/self/cgroup)"
}

# delegate CONTROLLER: a cgroup of CONTROLLER made by root and given to the
# user (directory and files), as a delegating manager does; prints its path.
# (Called in $(...): the name, not a variable, tells teardown what to remove.)
delegate() {
	local d="/sys/fs/cgroup/$1/$(delegated_name)"
	mkdir "$d"
	chown -R "$RL_UID:$RL_GID" "$d"
	echo "$d"
}

delegated_name() {
	echo "rt-delegated-$$-$BATS_TEST_NUMBER"
}

@test "rootless: rt spec --rootless is runc's rootless config for the caller" {
	run jq -c '[.linux.uidMappings, .linux.gidMappings]' "$BUNDLE/config.json"
	[ "$output" = "[[{\"containerID\":0,\"hostID\":$RL_UID,\"size\":1}],[{\"containerID\":0,\"hostID\":$RL_GID,\"size\":1}]]" ]
	run jq -r '[.linux.namespaces[].type] | sort | join(",")' "$BUNDLE/config.json"
	[ "$output" = "cgroup,ipc,mount,pid,user,uts" ]
	run jq -c '.mounts[] | select(.destination == "/sys")' "$BUNDLE/config.json"
	[ "$output" = '{"destination":"/sys","type":"none","source":"/sys","options":["rbind","nosuid","noexec","nodev","ro"]}' ]
	run jq -r '[.mounts[].options // [] | .[] | select(startswith("gid=") or startswith("uid="))] | length' "$BUNDLE/config.json"
	[ "$output" = 0 ]
	run jq -r '.mounts[] | select(.destination == "/dev/mqueue" or .destination == "/sys/fs/cgroup") | .type' "$BUNDLE/config.json"
	[ "$output" = "$(printf 'mqueue\ncgroup')" ]
	run jq '.linux.resources' "$BUNDLE/config.json"
	[ "$output" = null ]
}

@test "rootless: rt run as an unprivileged user: root inside is the user outside" {
	update_config '.process.args = ["sh", "-c", "id -u; id -g; cat /proc/self/uid_map; touch /tmp/made; ls /sys/kernel >/dev/null && echo sys-ok; echo x >/dev/null && echo dev-ok"]'
	run rtu run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = 0 ]
	[ "$(echo "${lines[2]}" | tr -s ' ')" = " 0 $RL_UID 1" ]
	[ "${lines[3]}" = sys-ok ]
	[ "${lines[4]}" = dev-ok ]
	[ "$(stat -c %u:%g "$BUNDLE/rootfs/tmp/made")" = "$RL_UID:$RL_GID" ]
	# Nothing left once run returns.
	[ -z "$(ls "$ROOT")" ]
}

@test "rootless: the config of rt spec --rootless runs as it is (read-only root, masked paths)" {
	update_config '.root.readonly = true
		| .process.args = ["sh", "-c", "touch /x 2>/dev/null || echo ro-ok; cat /proc/timer_list | wc -c; ls /sys/firmware | wc -l; grep -c \" /sys \" /proc/self/mounts; hostname"]'
	run rtu run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = ro-ok ]
	[ "${lines[1]}" = 0 ]
	[ "${lines[2]}" = 0 ]
	[ "${lines[3]}" = 1 ]
	[ "${lines[4]}" = rt ]
}

@test "rootless: create, state, start, list, kill, delete as the user" {
	update_config '.process.args = ["sleep", "100"]'
	rtu create --bundle "$BUNDLE" "$ID"
	[ "$(rtu state "$ID" | jq -r .status)" = created ]
	pid=$(rtu state "$ID" | jq -r .pid)
	# The container's init runs as the user on the host.
	[ "$(awk '/^Uid:/ {print $2}' /proc/"$pid"/status)" = "$RL_UID" ]
	run rtu list
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" == "$ID "*" created "*" $RL_USER"* ]]
	rtu start "$ID"
	[ "$(rtu state "$ID" | jq -r .status)" = running ]
	rtu kill "$ID" KILL
	for i in $(seq 100); do
		[ "$(rtu state "$ID" | jq -r .status)" = stopped ] && break
		sleep 0.05
	done
	[ "$(rtu state "$ID" | jq -r .status)" = stopped ]
	rtu delete "$ID"
	[ ! -e "$ROOT/$ID" ]
}

@test "rootless: without --root the state is in \$XDG_RUNTIME_DIR/rt" {
	update_config '.process.args = ["sleep", "100"]'
	as_user "$RT" create --bundle "$BUNDLE" "$ID"
	[ -f "$RL_DIR/xdg/rt/$ID/state.json" ]
	[ "$(as_user "$RT" state "$ID" | jq -r .status)" = created ]
	as_user "$RT" delete -f "$ID"
	[ ! -e "$RL_DIR/xdg/rt/$ID" ]
}

@test "rootless: cgroups the user cannot write are skipped when no limit is asked" {
	update_config '.process.args = ["sleep", "100"]'
	rtu create --bundle "$BUNDLE" "$ID"
	pid=$(rtu state "$ID" | jq -r .pid)
	# The container stays in the caller's cgroups, and rt made none.
	[ "$(grep ':memory:' /proc/"$pid"/cgroup)" = "$(as_user cat /proc/self/cgroup | grep ':memory:')" ]
	[ ! -e "$(own_cgroup memory)/$ID" ]
	[ ! -e "$(own_cgroup pids)/$ID" ]
	[ "$(jq -r '.cgroup' "$ROOT/$ID/state.json")" = null ]
	# Commands on the cgroup say why there is none; kill --all signals init.
	rtu start "$ID"
	run rtu pause "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"container $ID has no cgroup: it was created by a user who could write none"* ]]
	rtu kill --all "$ID" KILL
	for i in $(seq 100); do
		[ "$(rtu state "$ID" | jq -r .status)" = stopped ] && break
		sleep 0.05
	done
	[ "$(rtu state "$ID" | jq -r .status)" = stopped ]
	rtu delete "$ID"
}

@test "rootless: a limit in a cgroup the user cannot write is a clear error, nothing left" {
	update_config '.linux.resources = {"memory": {"limit": 67108864}}'
	run rtu run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.resources.memory: cgroup /sys/fs/cgroup/memory/"*" is not writable by uid $RL_UID"*"delegated"* ]]
	[ ! -e "$ROOT/$ID" ]
	[ ! -e "$(own_cgroup memory)/$ID" ]
}

@test "rootless: a delegated cgroup is used, with its limits" {
	mem=$(delegate memory)
	pids=$(delegate pids)
	update_config '.linux.cgroupsPath = "/'"$(basename "$mem")"'/'"$ID"'"
		| .linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 42}}
		| .process.args = ["sleep", "100"]'
	rtu create --bundle "$BUNDLE" "$ID"
	pid=$(rtu state "$ID" | jq -r .pid)
	[ "$(cat "$mem/$ID/memory.limit_in_bytes")" = 67108864 ]
	[ "$(cat "$pids/$ID/pids.max")" = 42 ]
	grep -qx "$pid" "$mem/$ID/cgroup.procs"
	grep -qx "$pid" "$pids/$ID/cgroup.procs"
	# The hierarchies not delegated were skipped.
	[ ! -e "/sys/fs/cgroup/cpu/$(basename "$mem")" ]
	rtu delete -f "$ID"
	[ ! -e "$mem/$ID" ]
	[ ! -e "$pids/$ID" ]
}

@test "rootless: a delegated cgroup2 subtree is used (the user's rt runs inside it)" {
	# As a cgroup2 manager delegates: a subtree owned by the user, with the
	# user's own processes in a leaf of it (a process moves only within a
	# subtree it can write the top of).
	local top="/sys/fs/cgroup/unified/$(delegated_name)"
	# The manager enables the controller down to the subtree it hands over
	# (root's rt does so for its own cgroups: an earlier test may have).
	echo +hugetlb >/sys/fs/cgroup/unified/cgroup.subtree_control
	mkdir "$top" "$top/shell"
	chown -R "$RL_UID:$RL_GID" "$top"
	update_config '.linux.cgroupsPath = "/'"$(delegated_name)"'/'"$ID"'"
		| .linux.resources = {"hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}]}
		| .process.args = ["sleep", "100"]'
	sh -c 'echo $$ >"$1/shell/cgroup.procs" && shift && exec "$@"' sh "$top" \
		setpriv --reuid="$RL_UID" --regid="$RL_GID" --init-groups \
		env -i PATH=/usr/bin:/bin XDG_RUNTIME_DIR="$RL_DIR/xdg" "$RT" --root "$ROOT" create --bundle "$BUNDLE" "$ID"
	pid=$(rtu state "$ID" | jq -r .pid)
	grep -qx "$pid" "$top/$ID/cgroup.procs"
	[ "$(cat "$top/$ID/hugetlb.2MB.max")" = 4194304 ]
	rtu delete -f "$ID"
	[ ! -e "$top/$ID" ]
}

@test "rootless: only the user's own id can be mapped without newuidmap" {
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": '"$RL_UID"', "size": 1}, {"containerID": 1, "hostID": 1, "size": 10}]'
	# PATH without /usr/bin: no newuidmap.
	mkdir "$RL_DIR/nobin"
	run setpriv --reuid="$RL_UID" --regid="$RL_GID" --init-groups \
		env -i PATH="$RL_DIR/nobin" "$RT" --root "$ROOT" run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.uidMappings: as uid $RL_UID rt can map only its own id"*"newuidmap"* ]]
	[ ! -e "$ROOT/$ID" ]
}

@test "rootless: several ranges through newuidmap/newgidmap and /etc/subuid" {
	command -v newuidmap
	# useradd gave the user subordinate ids; read its range.
	read -r sub_uid sub_uid_n < <(awk -F: -v u="$RL_USER" '$1 == u {print $2, $3}' /etc/subuid)
	read -r sub_gid sub_gid_n < <(awk -F: -v u="$RL_USER" '$1 == u {print $2, $3}' /etc/subgid)
	[ -n "$sub_uid" ] && [ -n "$sub_gid" ]
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": '"$RL_UID"', "size": 1},
			{"containerID": 1, "hostID": '"$sub_uid"', "size": 1000}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": '"$RL_GID"', "size": 1},
			{"containerID": 1, "hostID": '"$sub_gid"', "size": 1000}]
		| .process.user = {"uid": 100, "gid": 200}
		| .process.args = ["sh", "-c", "wc -l </proc/self/uid_map; wc -l </proc/self/gid_map; id -u; touch /tmp/sub"]'
	run rtu run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 2 ]
	[ "${lines[1]}" = 2 ]
	[ "${lines[2]}" = 100 ]
	[ "$(stat -c %u:%g "$BUNDLE/rootfs/tmp/sub")" = "$((sub_uid + 99)):$((sub_gid + 199))" ]
}

@test "rootless: a range outside /etc/subuid is refused by newuidmap, named in the error" {
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": '"$RL_UID"', "size": 1}, {"containerID": 1, "hostID": 1, "size": 10}]'
	run rtu run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.uidMappings: newuidmap "* ]]
	[ ! -e "$ROOT/$ID" ]
}

@test "rootless: idmapped mounts are refused: they need root" {
	mkdir "$RL_DIR/src"
	chown "$RL_UID:$RL_GID" "$RL_DIR/src"
	update_config '.mounts += [{"destination": "/x", "source": "'"$RL_DIR/src"'", "options": ["bind", "idmap"]}]'
	run rtu run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"mounts[7]: idmapped mounts need rt to run as root"* ]]
	[ ! -e "$ROOT/$ID" ]
}

@test "rootless: a second container joins the user namespace of the first" {
	update_config '.process.args = ["sleep", "100"]'
	# Started: until its exec the init stage is not dumpable, and its
	# /proc/<pid>/ns belongs to host root.
	rtu run -d --bundle "$BUNDLE" "$ID"
	pid=$(rtu state "$ID" | jq -r .pid)
	update_config '.linux.namespaces |= map(if .type == "user" then .path = "/proc/'"$pid"'/ns/user" else . end)
		| del(.linux.uidMappings, .linux.gidMappings)
		| .process.args = ["sh", "-c", "id -u; readlink /proc/self/ns/user"]'
	run rtu run --bundle "$BUNDLE" "$ID-2"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = "$(readlink /proc/"$pid"/ns/user)" ]
	# Root joining that namespace (setgroups "deny") cannot drop its own
	# supplementary groups there: refused, rather than leaking them.
	run "$RT" --root "$ROOT/by-root" run --bundle "$BUNDLE" "$ID-3"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"clear the supplementary groups (process.user.additionalGids is empty): setgroups: operation not permitted"* ]]
	[ ! -e "$ROOT/by-root/$ID-3" ]
}
