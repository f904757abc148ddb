#!/usr/bin/env bats
# rt exec: a new process in a running container's namespaces, cgroups and
# root, with its process config and runc's flags on top.

load helpers
load cgroup_helpers

setup() {
	setup_bundle
	echo "only in the container" >"$BUNDLE/rootfs/only-here"
}
teardown() { teardown_bundle; }

# start_container [JQ]: run `sleep 1000` detached as $ID (after JQ on config.json); $INIT is its pid.
start_container() {
	update_config "${1:-.} | .process.args = [\"sleep\", \"1000\"]"
	rt run -d --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1 3>&-
	INIT=$(state_field "$ID" pid)
}

# procs_only_init: the container's cgroups hold its init and nothing else.
procs_only_init() {
	local d
	for d in $(cgroup_dirs "$ID"); do
		wait_until "[ \"\$(cat $d/cgroup.procs | tr '\n' ' ')\" = '$INIT ' ]" || return 1
	done
}

@test "exec: stdout, stderr and the exit code pass through" {
	start_container
	run rt exec "$ID" sh -c 'echo out; echo err >&2; exit 7'
	[ "$status" -eq 7 ]
	[ "$output" = "$(printf 'out\nerr')" ]
	run rt exec "$ID" true
	[ "$status" -eq 0 ]
	# stdin too
	[ "$(echo piped | rt exec "$ID" cat)" = piped ]
	# "--" before the command only separates.
	run rt exec "$ID" -- sh -c 'exit 4'
	[ "$status" -eq 4 ]
	procs_only_init
}

@test "exec: inside the container's pid namespace, beside its init" {
	start_container
	run rt exec "$ID" sh -c 'echo $$; ps -o pid,args; true'
	[ "$status" -eq 0 ]
	echo "$output"
	[ "${lines[0]}" != 1 ]
	[[ "${lines[0]}" =~ ^[0-9]+$ ]]
	# ps (in the container's /proc) sees init as 1 and this very shell.
	[[ "$output" == *" 1 sleep 1000"* ]]
	grep -q "^ *${lines[0]} sh -c" <<<"$output"
	# All the other namespaces are the init's too.
	local ns
	for ns in ipc mnt net pid uts cgroup; do
		rt exec -d --pid-file "$BUNDLE/pid" "$ID" sleep 100 </dev/null >/dev/null 2>&1 3>&-
		[ "$(readlink /proc/"$(cat "$BUNDLE/pid")"/ns/$ns)" = "$(readlink /proc/"$INIT"/ns/$ns)" ]
		[ "$(readlink /proc/"$(cat "$BUNDLE/pid")"/ns/$ns)" != "$(readlink /proc/self/ns/$ns)" ]
	done
}

@test "exec: in every cgroup of the container, listed by rt ps" {
	start_container
	rt exec -d --pid-file "$BUNDLE/pid" "$ID" sleep 100 </dev/null >/dev/null 2>&1 3>&-
	local pid d n=0
	pid=$(cat "$BUNDLE/pid")
	for d in $(cgroup_dirs "$ID"); do
		echo "$d: $(cat "$d/cgroup.procs" | tr '\n' ' ')"
		grep -qx "$pid" "$d/cgroup.procs"
		n=$((n + 1))
	done
	# every v1 hierarchy and the cgroup2 one of this host
	[ "$n" -ge 2 ]
	[ -n "$(cgroup_dir "$ID" unified)" ] && grep -qx "$pid" "$(cgroup_dir "$ID" unified)/cgroup.procs"
	run rt ps --format json "$ID"
	[ "$(jq -c sort <<<"$output")" = "$(printf '%s\n' "$INIT" "$pid" | sort -n | jq -sc .)" ]
}

@test "exec: the container's root and mount namespace" {
	start_container
	run rt exec "$ID" cat /only-here
	[ "$status" -eq 0 ]
	[ "$output" = "only in the container" ]
	# The host's paths are not there.
	run rt exec "$ID" ls "$BUNDLE"
	[ "$status" -ne 0 ]
	# The init's mounts, as both see them from inside.
	[ "$(rt exec "$ID" cat /proc/self/mountinfo)" = "$(rt exec "$ID" cat /proc/1/mountinfo)" ]
	[ "$(rt exec "$ID" readlink /proc/self/ns/mnt)" = "$(readlink /proc/"$INIT"/ns/mnt)" ]
}

@test "exec: into a user-namespaced container, with its mapped ids" {
	# Container root is host root here (kuid 0 must be mapped for rt's
	# create to set up the rootfs); every other id is shifted by 100000.
	start_container '.linux.namespaces += [{"type": "user"}] |
		.linux.uidMappings = [{"containerID": 0, "hostID": 0, "size": 1}, {"containerID": 1, "hostID": 100001, "size": 65535}] |
		.linux.gidMappings = [{"containerID": 0, "hostID": 0, "size": 1}, {"containerID": 1, "hostID": 100001, "size": 65535}]'
	run rt exec "$ID" cat /proc/self/uid_map
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | awk '{print $1, $2, $3}' | tr '\n' ' ')" = "0 0 1 1 100001 65535 " ]
	rt exec -d --pid-file "$BUNDLE/pid" -u 1000:1001 "$ID" sleep 100 </dev/null >/dev/null 2>&1 3>&-
	local pid
	pid=$(cat "$BUNDLE/pid")
	[ "$(readlink /proc/"$pid"/ns/user)" = "$(readlink /proc/"$INIT"/ns/user)" ]
	[ "$(readlink /proc/"$pid"/ns/user)" != "$(readlink /proc/self/ns/user)" ]
	# 1000 inside is 101000 on the host.
	grep -q "^Uid:	101000	101000	101000	101000$" /proc/"$pid"/status
	grep -q "^Gid:	101001	101001	101001	101001$" /proc/"$pid"/status
	[ "$(rt exec -u 1000:1001 -g 1002 "$ID" id)" = "uid=1000 gid=1001 groups=1002" ]
}

@test "exec: the container's capabilities; --cap adds one" {
	start_container
	local init_eff eff
	init_eff=$(awk '/^CapEff/ {print $2}' /proc/"$INIT"/status)
	eff=$(rt exec "$ID" awk '/^CapEff/ {print $2}' /proc/self/status)
	[ "$eff" = "$init_eff" ]
	# CAP_NET_ADMIN is bit 12; the container has no such capability.
	[ $((0x$init_eff & (1 << 12))) -eq 0 ]
	eff=$(rt exec --cap CAP_NET_ADMIN -c CAP_SYS_ADMIN "$ID" awk '/^CapEff/ {print $2}' /proc/self/status)
	[ $((0x$eff)) -eq $((0x$init_eff | (1 << 12) | (1 << 21))) ]
	run rt exec --cap CAP_NOPE "$ID" true
	[ "$status" -ne 0 ]
	[[ "$output" == *"CAP_NOPE"* ]]
	procs_only_init
}

@test "exec --user, --additional-gids: a non-root uid without capabilities" {
	start_container
	run rt exec -u 1000 "$ID" id
	[ "$output" = "uid=1000 gid=0(root)" ]
	run rt exec --user 1000:1000 -g 5 --additional-gids 6 "$ID" sh -c 'id; grep CapEff /proc/self/status'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "uid=1000 gid=1000 groups=5,6" ]
	[ "${lines[1]}" = "CapEff:	0000000000000000" ]
	run rt exec -u root "$ID" id
	[ "$status" -ne 0 ]
	[[ "$output" == *'--user "root": uid "root" is not a number'* ]]
}

@test "exec --env, --cwd: on top of the container's own" {
	start_container '.process.env += ["FROM_CONFIG=1"]'
	run rt exec -e FOO=bar,baz --env TERM=dumb --cwd /tmp "$ID" sh -c 'pwd; echo "$FOO $FROM_CONFIG"; env | grep -c ^TERM=; echo $TERM'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '/tmp\nbar,baz 1\n1\ndumb')" ]
	# The container's own cwd and HOME otherwise.
	[ "$(rt exec "$ID" sh -c 'pwd; echo $HOME')" = "$(printf '/\n/root')" ]
	# A cwd that does not exist is an error, and is not created.
	run rt exec --cwd /no/such/dir "$ID" true
	[ "$status" -ne 0 ]
	[[ "$output" == *"process.cwd /no/such/dir: chdir to /no/such/dir: no such file or directory"* ]]
	[ ! -e "$BUNDLE/rootfs/no" ]
	run rt exec --cwd tmp "$ID" true
	[ "$status" -ne 0 ]
	[[ "$output" == *'--cwd "tmp" is not an absolute path'* ]]
	run rt exec -e NOEQUALS "$ID" true
	[ "$status" -ne 0 ]
	[[ "$output" == *'--env "NOEQUALS"'* ]]
}

@test "exec --no-new-privs" {
	start_container '.process.noNewPrivileges = false'
	[ "$(rt exec "$ID" awk '/^NoNewPrivs/ {print $2}' /proc/self/status)" = 0 ]
	[ "$(rt exec --no-new-privs "$ID" awk '/^NoNewPrivs/ {print $2}' /proc/self/status)" = 1 ]
}

@test "exec --process: a runtime-spec process object" {
	start_container
	cat >"$BUNDLE/proc.json" <<-EOF
	{"args": ["sh", "-c", "id; pwd; echo \$GREETING"], "cwd": "/etc", "env": ["PATH=/bin", "GREETING=hello"],
	 "user": {"uid": 1000, "gid": 1000}}
	EOF
	run rt exec --process "$BUNDLE/proc.json" "$ID"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'uid=1000 gid=1000\n/etc\nhello')" ]
	# It is the whole process: flags that would change it are refused.
	run rt exec --process "$BUNDLE/proc.json" --cwd / "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"--cwd: cannot be combined with --process"* ]]
	run rt exec -p "$BUNDLE/proc.json" "$ID" true
	[ "$status" -ne 0 ]
	[[ "$output" == *"either as arguments or in --process"* ]]
}

@test "exec --process: bad JSON is an error naming the field, and nothing runs" {
	start_container
	echo '{"args": "sh", "cwd": "/"}' >"$BUNDLE/p1.json"
	run rt exec --process "$BUNDLE/p1.json" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"p1.json: process.args: cannot use JSON string"* ]]
	echo '{"args": ["sh"], "cwd": "/", "capabilities": {"bounding": ["CAP_CHOWN", "CAP_NOPE"]}}' >"$BUNDLE/p2.json"
	run rt exec --process "$BUNDLE/p2.json" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"process.capabilities.bounding"*"CAP_NOPE"* ]]
	echo '{"args": ["sh"], "cwd": "/", "rlimits": [{"type": "RLIMIT_NOFILE", "soft": 10, "hard": 5}]}' >"$BUNDLE/p3.json"
	run rt exec --process "$BUNDLE/p3.json" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"process.rlimits[0]: soft limit 10 is above hard limit 5"* ]]
	echo '{"args": ["sh"]' >"$BUNDLE/p4.json"
	run rt exec --process "$BUNDLE/p4.json" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"invalid JSON at line"* ]]
	run rt exec --process "$BUNDLE/missing.json" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"missing.json"* ]]
	procs_only_init
}

@test "exec: the container's rlimits and umask" {
	start_container '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 123, "hard": 456}] | .process.user.umask = 63'
	[ "$(rt exec "$ID" sh -c 'ulimit -n; ulimit -Hn; umask')" = "$(printf '123\n456\n0077')" ]
}

@test "exec into a paused container: refused, or waits for resume with --ignore-paused" {
	start_container
	rt pause "$ID"
	run rt exec "$ID" true
	[ "$status" -ne 0 ]
	[[ "$output" == *"cannot exec in container $ID: it is paused"* ]]
	rt exec --ignore-paused "$ID" echo resumed >"$BUNDLE/out" 2>&1 </dev/null 3>&- &
	local bg=$!
	# It joins the frozen cgroup and freezes there: it cannot have run yet.
	wait_until "[ \$(wc -l <$(cgroup_dir "$ID" freezer)/cgroup.procs) -eq 2 ]"
	[ ! -s "$BUNDLE/out" ]
	[ "$(state_field "$ID" status)" = paused ]
	rt resume "$ID"
	wait "$bg"
	[ "$(cat "$BUNDLE/out")" = resumed ]
	procs_only_init
}

@test "exec into a stopped, created or missing container: clear errors" {
	run rt exec "$ID" true
	[ "$status" -ne 0 ]
	[[ "$output" == *"container does not exist: $ID"* ]]
	update_config '.process.args = ["true"]'
	rt run --keep --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1 3>&-
	run rt exec "$ID" true
	[ "$status" -ne 0 ]
	[[ "$output" == *"cannot exec in container $ID: it is stopped, not running"* ]]
	rt delete "$ID"
	update_config '.process.args = ["sleep", "100"]'
	rt create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1 3>&-
	run rt exec "$ID" true
	[ "$status" -ne 0 ]
	[[ "$output" == *"it is created, not running"* ]]
}

@test "exec --detach --pid-file: returns at once, the pid file has the host pid" {
	start_container
	timeout 20 "$RT" --root "$ROOT" exec -d --pid-file "$BUNDLE/pid" "$ID" sleep 1000 </dev/null >/dev/null 2>&1 3>&-
	local pid
	pid=$(cat "$BUNDLE/pid")
	[ "$(tr '\0' ' ' </proc/"$pid"/cmdline)" = "sleep 1000 " ]
	grep -qx "$pid" "$(cgroup_dir "$ID" pids)/cgroup.procs"
	# The foreground one writes it too.
	rt exec --pid-file "$BUNDLE/pid2" "$ID" true
	[[ "$(cat "$BUNDLE/pid2")" =~ ^[0-9]+$ ]]
}

@test "exec --preserve-fds: fds 3.. pass to the process; LISTEN_PID is its own pid" {
	start_container
	echo "through fd 3" >"$BUNDLE/fd3"
	echo "through fd 4" >"$BUNDLE/fd4"
	run rt exec --preserve-fds 2 "$ID" sh -c 'cat /proc/self/fd/3 /proc/self/fd/4' 3<"$BUNDLE/fd3" 4<"$BUNDLE/fd4"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'through fd 3\nthrough fd 4')" ]
	# Without the flag nothing leaks.
	run rt exec "$ID" sh -c 'ls /proc/self/fd' 3<"$BUNDLE/fd3"
	[ "$output" = "$(printf '0\n1\n2\n3')" ] # 3 is ls's own directory fd
	run rt exec "$ID" cat /proc/self/fd/3 3<"$BUNDLE/fd3"
	[ "$status" -ne 0 ]
	# Socket activation: LISTEN_PID is the pid the process has inside.
	run rt exec --preserve-fds 1 -e LISTEN_FDS=1 -e LISTEN_PID=999 "$ID" sh -c 'echo "$LISTEN_PID $$"; env | grep -c ^LISTEN_PID=' 3<"$BUNDLE/fd3"
	[ "$status" -eq 0 ]
	read -r lp self <<<"${lines[0]}"
	[ "$lp" = "$self" ]
	[ "${lines[1]}" = 1 ]
}

@test "run --preserve-fds with LISTEN_FDS: LISTEN_PID is the init's pid inside" {
	update_config '.process.env += ["LISTEN_FDS=1"] | .process.args = ["sh", "-c", "echo $LISTEN_PID; cat /proc/self/fd/3"]'
	echo "socket" >"$BUNDLE/fd3"
	run rt run --preserve-fds 1 --bundle "$BUNDLE" "$ID" 3<"$BUNDLE/fd3"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '1\nsocket')" ]
}

@test "exec: signals to rt go to the process; killed by one, rt exits 128+signal" {
	start_container
	# "$RT" itself in the background, not the rt function's subshell: $! is rt.
	"$RT" --root "$ROOT" exec "$ID" sh -c 'trap "echo got TERM; exit 3" TERM; echo ready; while :; do sleep 0.1; done' >"$BUNDLE/out" 2>&1 </dev/null 3>&- &
	local bg=$! rc=0
	wait_until "grep -q ready $BUNDLE/out"
	kill -TERM "$bg"
	wait "$bg" || rc=$?
	[ "$rc" -eq 3 ]
	grep -q "got TERM" "$BUNDLE/out"
	"$RT" --root "$ROOT" exec "$ID" sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
	bg=$!
	rc=0
	wait_until "[ \$(cat $(cgroup_dir "$ID" pids)/cgroup.procs | wc -l) -eq 2 ]"
	kill -USR1 "$bg"
	wait "$bg" || rc=$?
	[ "$rc" -eq $((128 + 10)) ]
	procs_only_init
}

@test "exec of a program that does not exist: names it, leaves nothing" {
	start_container
	run rt exec "$ID" no-such-program arg
	[ "$status" -ne 0 ]
	[[ "$output" == *'exec: "no-such-program": executable file not found in $PATH'* ]]
	run rt exec "$ID" /bin/no-such-program
	[ "$status" -ne 0 ]
	[[ "$output" == *'"/bin/no-such-program"'*"no such file or directory"* ]]
	procs_only_init
	run pgrep -f no-such-program
	[ "$status" -ne 0 ]
}

@test "exec --cgroup: a sub-cgroup of every hierarchy, or of one controller" {
	start_container
	local d
	for d in $(cgroup_dirs "$ID"); do
		mkdir "$d/sub"
		if [ -e "$d/cpuset.cpus" ]; then
			cat "$d/cpuset.cpus" >"$d/sub/cpuset.cpus"
			cat "$d/cpuset.mems" >"$d/sub/cpuset.mems"
		fi
	done
	rt exec -d --pid-file "$BUNDLE/pid" --cgroup sub "$ID" sleep 100 </dev/null >/dev/null 2>&1 3>&-
	local pid
	pid=$(cat "$BUNDLE/pid")
	for d in $(cgroup_dirs "$ID"); do
		grep -qx "$pid" "$d/sub/cgroup.procs"
	done
	# One controller: its sub-cgroup; the other hierarchies: the container's own.
	mkdir "$(cgroup_dir "$ID" memory)/m"
	rt exec -d --pid-file "$BUNDLE/pid" --cgroup memory:m "$ID" sleep 100 </dev/null >/dev/null 2>&1 3>&-
	pid=$(cat "$BUNDLE/pid")
	grep -qx "$pid" "$(cgroup_dir "$ID" memory)/m/cgroup.procs"
	grep -qx "$pid" "$(cgroup_dir "$ID" pids)/cgroup.procs"
	# In the container's cgroup namespace, the sub-cgroup is below its root.
	[ "$(rt exec --cgroup memory:m "$ID" grep memory /proc/self/cgroup | cut -d: -f3)" = /m ]
	run rt exec --cgroup nope "$ID" true
	[ "$status" -ne 0 ]
	[[ "$output" == *"sub-cgroup"*"/nope: no such file or directory"* ]]
	run rt exec --cgroup bogus:m "$ID" true
	[ "$status" -ne 0 ]
	[[ "$output" == *'no "bogus" hierarchy'* ]]
	run rt exec --cgroup ../.. "$ID" true
	[ "$status" -ne 0 ]
	[[ "$output" == *'must not contain ".."'* ]]
	run rt exec --cgroup sub --cgroup memory:m "$ID" true
	[ "$status" -ne 0 ]
	[[ "$output" == *"controller: prefix"* ]]
}

@test "exec --console-socket in the foreground, --apparmor, --process-label: refused clearly" {
	start_container
	# (terminals themselves: tty.bats)
	echo '{"args": ["true"], "cwd": "/", "terminal": true}' >"$BUNDLE/p.json"
	run rt exec --process "$BUNDLE/p.json" --console-socket "$BUNDLE/sock" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"--console-socket needs a detached process"* ]]
	run rt exec --apparmor unconfined "$ID" true
	[ "$status" -ne 0 ]
	[[ "$output" == *"--apparmor: rt does not apply AppArmor profiles"* ]]
	run rt exec --process-label system_u:system_r:container_t:s0 "$ID" true
	[ "$status" -ne 0 ]
	[[ "$output" == *"--process-label"* ]]
	run rt exec "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"missing the command"* ]]
	procs_only_init
}

@test "exec: into the container's time namespace, with its clock offsets" {
	start_container '.linux.namespaces += [{"type": "time"}] |
		.linux.timeOffsets = {"boottime": {"secs": 864000, "nanosecs": 0}}'
	local host inside
	host=$(cut -d. -f1 /proc/uptime)
	inside=$(rt exec "$ID" cut -d. -f1 /proc/uptime)
	echo "host $host inside $inside"
	[ $((inside - host)) -ge 863990 ]
	[ "$(rt exec "$ID" readlink /proc/self/ns/time)" = "$(readlink /proc/"$INIT"/ns/time)" ]
}

@test "exec: into a container in the host's pid namespace (no fork), killed with it" {
	start_container '.linux.namespaces |= map(select(.type != "pid"))'
	rt exec -d --pid-file "$BUNDLE/pid" "$ID" sleep 1000 </dev/null >/dev/null 2>&1 3>&-
	local pid
	pid=$(cat "$BUNDLE/pid")
	# Its pid inside is the host's.
	[ "$(rt exec "$ID" sh -c "tr '\\0' ' ' </proc/$pid/cmdline")" = "sleep 1000 " ]
	[ "$(readlink /proc/"$pid"/ns/mnt)" = "$(readlink /proc/"$INIT"/ns/mnt)" ]
	rt delete -f "$ID"
	wait_until "[ ! -e /proc/$pid ]"
}

@test "run under socket activation: rt's LISTEN_FDS fds pass first, then --preserve-fds" {
	update_config '.process.args = ["sh", "-c", "echo $LISTEN_FDS $LISTEN_PID; cat /proc/self/fd/3 /proc/self/fd/4"]'
	echo "listen socket" >"$BUNDLE/fd3"
	echo "preserved" >"$BUNDLE/fd4"
	# exec keeps bash's pid for rt: LISTEN_PID names rt, as systemd sets it.
	run bash -c 'exec env LISTEN_PID=$$ LISTEN_FDS=1 "$0" --root "$1" run --preserve-fds 1 --bundle "$2" "$3"' \
		"$RT" "$ROOT" "$BUNDLE" "$ID" 3<"$BUNDLE/fd3" 4<"$BUNDLE/fd4"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '1 1\nlisten socket\npreserved')" ]
	# LISTEN_PID of another process: not for rt, nothing passes.
	run env LISTEN_PID=1 LISTEN_FDS=1 "$RT" --root "$ROOT" run --bundle "$BUNDLE" "$ID" 3<"$BUNDLE/fd3"
	[ "$status" -ne 0 ]
	[[ "$output" != *"listen socket"* ]]
}
