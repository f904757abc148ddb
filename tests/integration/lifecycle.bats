#!/usr/bin/env bats
# The lifecycle commands: create leaves the process waiting before exec,
# start runs the program, state reports it, kill signals it, delete removes
# it; run does all of it in the foreground, forwarding signals.

load helpers
load cgroup_helpers

setup() {
	setup_bundle
	HOSTDIR=$(mktemp -d "$BATS_RUN_TMPDIR/host.XXXXXX")
	update_config ".mounts += [{\"destination\": \"/host\", \"type\": \"bind\", \"source\": \"$HOSTDIR\", \"options\": [\"rbind\"]}]"
}

teardown() {
	teardown_bundle
	rm -rf "$HOSTDIR"
}

# script SCRIPT: the container runs `sh -c SCRIPT`.
script() {
	update_config "$(printf '.process.args = ["sh", "-c", %s]' "$(jq -Rn --arg s "$1" '$s')")"
}

@test "create: the process waits before exec; start runs the program" {
	script 'touch /host/ran; exec sleep 100'
	update_config '.annotations = {"org.example.key": "value"}'
	rt create --bundle "$BUNDLE" --pid-file "$BUNDLE/pid" "$ID"
	pid=$(state_field "$ID" pid)
	[ "$(cat "$BUNDLE/pid")" = "$pid" ]
	[ "$(state_field "$ID" status)" = created ]
	# Still rt's forked init stage, not the program: nothing has run.
	[ ! -e "$HOSTDIR/ran" ]
	[ "$(readlink "/proc/$pid/exe")" = "$(readlink -f "$RT")" ]
	rt start "$ID"
	wait_until '[ -e "$HOSTDIR/ran" ]'
	[ "$(state_field "$ID" status)" = running ]
	[ "$(state_field "$ID" pid)" = "$pid" ]
	wait_until '[ "$(readlink /proc/$pid/exe)" != "$(readlink -f "$RT")" ]'
}

@test "state: the OCI fields and runc's rootfs, created, owner" {
	update_config '.process.args = ["sleep", "100"] | .annotations = {"org.example.key": "value"}'
	rt create --bundle "$BUNDLE" "$ID"
	run rt state "$ID"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e --arg id "$ID" --arg b "$BUNDLE" '
		.ociVersion == "1.3.0" and .id == $id and .status == "created" and .pid > 0 and
		.bundle == $b and .rootfs == ($b + "/rootfs") and .annotations["org.example.key"] == "value" and
		.owner == "root" and (.created | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T"))'
	rt start "$ID"
	[ "$(state_field "$ID" status)" = running ]
	rt kill "$ID" KILL
	wait_status "$ID" stopped
	# A stopped container has no pid.
	[ "$(state_field "$ID" pid)" = 0 ]
}

@test "state: a reused pid does not make a stopped container look alive" {
	update_config '.process.args = ["sleep", "100"]'
	rt create --bundle "$BUNDLE" "$ID"
	rt kill "$ID" KILL
	wait_status "$ID" stopped
	# Another process now holds the pid rt saved (rewritten in place:
	# pids are not reusable on demand). Its start time differs.
	sleep 100 &
	other=$!
	jq --argjson p "$other" '.pid = $p' "$ROOT/$ID/state.json" >"$BUNDLE/st" && mv "$BUNDLE/st" "$ROOT/$ID/state.json"
	[ "$(state_field "$ID" status)" = stopped ]
	run rt kill "$ID" KILL
	[ "$status" -ne 0 ]
	[[ "$output" == *"not running"* ]]
	kill -0 "$other" # rt did not signal the stranger
	rt delete "$ID"
	kill -0 "$other"
	kill "$other"
	assert_nothing_left
}

@test "start: refused unless the container is created" {
	update_config '.process.args = ["sleep", "100"]'
	rt create --bundle "$BUNDLE" "$ID"
	rt start "$ID"
	run rt start "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"cannot start container $ID: it is running, not created"* ]]
	rt kill "$ID" KILL
	wait_status "$ID" stopped
	run rt start "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"it is stopped, not created"* ]]
}

@test "kill: SIGTERM by default, signals by name and number" {
	script 'trap "echo TERM >>/host/sigs; exit 3" TERM; trap "echo USR1 >>/host/sigs" USR1; trap "echo HUP >>/host/sigs" HUP; trap "echo RT1 >>/host/sigs" 35; touch /host/ready; while :; do sleep 0.05; done'
	rt run -d --bundle "$BUNDLE" "$ID"
	wait_until '[ -e "$HOSTDIR/ready" ]'
	rt kill "$ID" USR1
	wait_until 'grep -qx USR1 "$HOSTDIR/sigs"'
	rt kill "$ID" SIGHUP
	wait_until 'grep -qx HUP "$HOSTDIR/sigs"'
	rt kill "$ID" 10 # SIGUSR1
	wait_until '[ "$(grep -cx USR1 "$HOSTDIR/sigs")" = 2 ]'
	rt kill "$ID" SIGRTMIN+1
	wait_until 'grep -qx RT1 "$HOSTDIR/sigs"'
	rt kill "$ID"
	wait_until 'grep -qx TERM "$HOSTDIR/sigs"'
	wait_status "$ID" stopped
	run rt kill "$ID" KILL
	[ "$status" -ne 0 ]
	[[ "$output" == *"container not running"* ]]
	run rt kill "$ID" NOSUCHSIG
	[ "$status" -ne 0 ]
	[[ "$output" == *'unknown signal "NOSUCHSIG"'* ]]
}

@test "kill --all: every process of the container, SIGKILL by number" {
	script 'sleep 100 & sleep 100 & touch /host/ready; wait'
	# No pid namespace: init's death alone would not end the children.
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	rt run -d --bundle "$BUNDLE" "$ID"
	wait_until '[ -e "$HOSTDIR/ready" ]'
	wait_until '[ "$(wc -l <"$(cgroup_dir "$ID" pids)/cgroup.procs")" -eq 3 ]' # sh and two sleeps
	rt kill --all "$ID" 9
	wait_until '[ -z "$(cat "$(cgroup_dir "$ID" pids)/cgroup.procs")" ]'
	[ "$(state_field "$ID" status)" = stopped ]
}

@test "delete: a running container only with --force; nothing left" {
	update_config '.process.args = ["sleep", "100"]'
	rt run -d --bundle "$BUNDLE" "$ID"
	pid=$(state_field "$ID" pid)
	run rt delete "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"cannot delete container $ID that is not stopped: running"* ]]
	[ "$(state_field "$ID" status)" = running ]
	kill -0 "$pid"
	rt delete --force "$ID"
	[ ! -e "/proc/$pid" ] || [ "$(awk '{print $3}' "/proc/$pid/stat")" = Z ]
	assert_nothing_left
	run rt state "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"container does not exist: $ID"* ]]
	# As runc: --force on a container that is gone is not an error.
	rt delete --force "$ID"
}

@test "delete: a created and a stopped container go without --force" {
	update_config '.process.args = ["true"]'
	rt create --bundle "$BUNDLE" "$ID"
	rt delete "$ID"
	assert_nothing_left
	rt run -d --bundle "$BUNDLE" "$ID"
	wait_status "$ID" stopped
	rt delete "$ID"
	assert_nothing_left
}

@test "run: exits with the container's code and deletes it; --keep keeps it" {
	script 'exit 7'
	run rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 7 ]
	assert_nothing_left
	run rt run --keep --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 7 ]
	[ "$(state_field "$ID" status)" = stopped ]
	rt delete "$ID"
	assert_nothing_left
}

@test "run: forwards SIGUSR1, a real-time signal and SIGTERM to the container" {
	script 'trap "echo got USR1" USR1; trap "echo got RTMIN+3" 37; trap "echo got TERM; exit 5" TERM; touch /host/ready; while :; do sleep 0.05; done'
	# "$RT" itself, not the rt function: the signals must reach rt, not a subshell.
	"$RT" --root "$ROOT" run --bundle "$BUNDLE" --pid-file "$BUNDLE/pid" "$ID" >"$BUNDLE/out" 2>&1 &
	runpid=$!
	wait_until '[ -e "$HOSTDIR/ready" ]'
	[ "$(cat "$BUNDLE/pid")" = "$(state_field "$ID" pid)" ]
	kill -USR1 "$runpid"
	wait_until 'grep -q "got USR1" "$BUNDLE/out"'
	kill -37 "$runpid"
	wait_until 'grep -q "got RTMIN+3" "$BUNDLE/out"'
	kill -TERM "$runpid"
	status=0
	wait "$runpid" || status=$?
	cat "$BUNDLE/out"
	[ "$status" -eq 5 ]
	[ "$(cat "$BUNDLE/out")" = $'got USR1\ngot RTMIN+3\ngot TERM' ]
	assert_nothing_left
}

@test "run: a container killed by a signal exits 128+signal" {
	script 'touch /host/ready; exec sleep 100'
	rt run --bundle "$BUNDLE" "$ID" &
	runpid=$!
	wait_until '[ -e "$HOSTDIR/ready" ]'
	rt kill "$ID" KILL
	status=0
	wait "$runpid" || status=$?
	[ "$status" -eq 137 ]
	assert_nothing_left
}

@test "run: deleted from another shell and the id created anew meanwhile: rt run leaves the new container alone" {
	script 'touch /host/ready; exec sleep 100'
	"$RT" --root "$ROOT" run --bundle "$BUNDLE" "$ID" &
	runpid=$!
	wait_until '[ -e "$HOSTDIR/ready" ]'
	# Stopped, rt run cannot clean up before the new container exists.
	kill -STOP "$runpid"
	rt delete --force "$ID"
	rt create --bundle "$BUNDLE" "$ID"
	newpid=$(state_field "$ID" pid)
	kill -CONT "$runpid"
	status=0
	wait "$runpid" || status=$?
	[ "$status" -eq 137 ]
	[ "$(state_field "$ID" status)" = created ]
	[ "$(state_field "$ID" pid)" = "$newpid" ]
	rt delete --force "$ID"
	assert_nothing_left
}

@test "run --detach: returns at once, the container runs on" {
	update_config '.process.args = ["sleep", "100"]'
	rt run --detach --bundle "$BUNDLE" --pid-file "$BUNDLE/pid" "$ID"
	[ "$(state_field "$ID" status)" = running ]
	[ "$(cat "$BUNDLE/pid")" = "$(state_field "$ID" pid)" ]
}

@test "run: pid 1 and the configured hostname" {
	update_config '.hostname = "lifecycle-host"'
	run_ok 'echo $$; hostname'
	[ "$output" = $'1\nlifecycle-host' ]
}

@test "state dir: state.json is replaced whole, under the dir's lock" {
	update_config '.process.args = ["sleep", "100"]'
	rt run -d --bundle "$BUNDLE" "$ID"
	jq -e . "$ROOT/$ID/state.json" >/dev/null
	[ -z "$(find "$ROOT/$ID" -name '*.tmp')" ]
	# While another holder has the lock, a kill waits for it.
	exec {lockfd}<"$ROOT/$ID"
	flock -x "$lockfd"
	(rt kill "$ID" KILL; touch "$BUNDLE/killed") &
	killer=$!
	sleep 0.3
	[ ! -e "$BUNDLE/killed" ]
	[ "$(state_field "$ID" status)" = running ]
	flock -u "$lockfd"
	exec {lockfd}<&-
	wait "$killer"
	[ -e "$BUNDLE/killed" ]
	wait_status "$ID" stopped
}

# `rt start` of a plainly created container is served before the Go runtime
# starts (faststart/); GODEBUG=inittrace=1 makes the runtime print a line per
# package init, so a silent stderr shows that it never ran.
@test "start: served without the Go runtime, with --root and --root=; anything unusual goes to the Go code" {
	script 'touch /host/ran; exec sleep 100'
	rt create --bundle "$BUNDLE" "$ID"
	GODEBUG=inittrace=1 "$RT" --root="$ROOT" start "$ID" 2>"$BUNDLE/err"
	[ ! -s "$BUNDLE/err" ]
	wait_until '[ -e "$HOSTDIR/ran" ]'
	[ "$(state_field "$ID" status)" = running ]
	[ ! -e "$ROOT/$ID/start.sock" ]
	# Not created any more: the Go code words the refusal.
	GODEBUG=inittrace=1 run "$RT" --root "$ROOT" start "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"init runtime @"* ]]
	[[ "$output" == *"cannot start container $ID: it is running, not created"* ]]
	rt delete --force "$ID"
	# --debug (and any other flag) goes to the Go code, which logs.
	rt create --bundle "$BUNDLE" "$ID"
	rm "$HOSTDIR/ran"
	run "$RT" --root "$ROOT" --debug start "$ID"
	[ "$status" -eq 0 ]
	[[ "$output" == *"rt --root $ROOT --debug start $ID"* ]]
	wait_until '[ -e "$HOSTDIR/ran" ]'
}

@test "start: a failure after START, on the fast path and in the Go code, is the same error" {
	# An interpreter that does not exist: create finds the script, its exec fails.
	printf '#!/nonexistent\n' >"$BUNDLE/rootfs/bad"
	chmod 755 "$BUNDLE/rootfs/bad"
	update_config '.process.args = ["/bad"]'
	rt create --bundle "$BUNDLE" "$ID"
	# The Go code reports it, but START went from C: the connect to
	# start.sock comes before the runtime's first thread (clone3).
	run strace -qq -o "$BUNDLE/trace" -e trace=connect,clone3 "$RT" --root "$ROOT" start "$ID"
	[ "$status" -eq 1 ]
	grep -m1 -E '^(connect|clone3)\(' "$BUNDLE/trace" | grep -q 'start.sock'
	fast=$output
	[[ "$fast" == "rt: start container $ID: container init: "*"no such file or directory"* ]]
	[ ! -e "$ROOT/$ID/start.sock" ]
	rt delete --force "$ID"
	rt create --bundle "$BUNDLE" "$ID"
	run "$RT" --root "$ROOT" --log-format text start "$ID" # a flag: the Go code does it all
	[ "$status" -eq 1 ]
	[ "$output" = "$fast" ]
	rt delete --force "$ID"
	assert_nothing_left
}

@test "delete: a stopped container goes without the Go runtime, with -f too, its cgroups and the parents made for it" {
	parent="rt-fast-$$-$BATS_TEST_NUMBER"
	update_config ".linux.cgroupsPath = \"/$parent/$ID\""
	script 'exit 0'
	for force in "" -f --force; do
		rt run -d --bundle "$BUNDLE" "$ID"
		wait_for_status "$ID" stopped
		[ -n "$(cgroup_dirs "$ID")" ]
		# shellcheck disable=SC2086 # $force is zero or one word
		GODEBUG=inittrace=1 "$RT" --root "$ROOT" delete $force "$ID" 2>"$BUNDLE/err"
		[ ! -s "$BUNDLE/err" ]
		assert_nothing_left
		no_cgroup_named "$parent"
	done
}

@test "delete: a process left in a stopped container's cgroup: the Go code kills it and removes everything" {
	script 'exec sleep 100'
	rt run -d --bundle "$BUNDLE" "$ID"
	dir=$(cgroup_dir "$ID" pids)
	sleep 1000 &
	stray=$!
	echo "$stray" >"$dir/cgroup.procs"
	rt kill "$ID" KILL
	wait_for_status "$ID" stopped
	GODEBUG=inittrace=1 "$RT" --root "$ROOT" delete "$ID" 2>"$BUNDLE/err"
	grep -q '^init runtime @' "$BUNDLE/err"
	status=0
	wait "$stray" || status=$?
	[ "$status" -eq 137 ]
	assert_nothing_left
}

# same_state ID FAST: `rt state ID` prints what the Go code prints (`rt
# --debug state`: any other flag goes to it) byte for byte; FAST says
# whether the constructor answered (yes) or left it to the Go code (no).
same_state() {
	local fast go
	fast=$(GODEBUG=inittrace=1 "$RT" --root "$ROOT" state "$1" 2>"$BUNDLE/err")
	go=$("$RT" --root "$ROOT" --debug state "$1" 2>/dev/null)
	echo "fast: $fast"
	echo "go:   $go"
	[ "$fast" = "$go" ]
	if [ "$2" = yes ]; then [ ! -s "$BUNDLE/err" ]; else grep -q '^init runtime @' "$BUNDLE/err"; fi
}

@test "state: served without the Go runtime, byte for byte the Go code's, in every status; unusual strings go to the Go code" {
	script 'exec sleep 100'
	update_config '.annotations = {"org.example/b": "2", "a": "x y", "unicode": "h\u00e9llo \u4e16"}'
	rt create --bundle "$BUNDLE" "$ID"
	same_state "$ID" yes
	[[ "$("$RT" --root "$ROOT" state "$ID")" == *'"status": "created"'* ]]
	rt start "$ID"
	same_state "$ID" yes
	rt pause "$ID"
	same_state "$ID" yes
	[ "$(state_field "$ID" status)" = paused ]
	rt resume "$ID"
	same_state "$ID" yes
	# Owned by another user: its name, or #UID for one /etc/passwd lacks.
	chown 1 "$ROOT/$ID"
	same_state "$ID" yes
	[ "$(state_field "$ID" owner)" = "$(getent passwd 1 | cut -d: -f1)" ]
	chown 54321 "$ROOT/$ID"
	same_state "$ID" yes
	[ "$(state_field "$ID" owner)" = "#54321" ]
	chown 0 "$ROOT/$ID"
	rt kill "$ID" KILL
	wait_status "$ID" stopped
	same_state "$ID" yes
	[ "$(state_field "$ID" pid)" = 0 ]
	rt delete "$ID"
	# Strings Go escapes on output (<>&, a quote, U+2028), no annotation at all.
	local a
	for a in '{"x": "a<b"}' '{"x": "say \"hi\""}' '{"x&y": "1"}' '{"x": "line\u2028sep"}' null; do
		update_config ".annotations = $a"
		rt create --bundle "$BUNDLE" "$ID"
		if [ "$a" = null ]; then same_state "$ID" yes; else same_state "$ID" no; fi
		rt delete -f "$ID"
	done
	# No container: the Go code words it.
	run "$RT" --root "$ROOT" state nosuch
	[ "$status" -ne 0 ]
	[[ "$output" == *"container does not exist"* ]]
}

@test "kill: served without the Go runtime for a number or a classic name; RTMIN+n goes to the Go code" {
	script 'trap "echo got USR1 >>/host/log" USR1; trap "echo got 35 >>/host/log" 35; trap "echo got TERM >>/host/log; exit 3" TERM; touch /host/ready; while :; do sleep 0.05; done'
	rt run -d --bundle "$BUNDLE" "$ID"
	wait_until '[ -e "$HOSTDIR/ready" ]'
	n=0
	for sig in usr1 SIGUSR1 10; do
		GODEBUG=inittrace=1 "$RT" --root "$ROOT" kill "$ID" "$sig" 2>"$BUNDLE/err"
		[ ! -s "$BUNDLE/err" ]
		n=$((n + 1)) # one at a time: a pending signal sent again is merged
		wait_until "[ \"\$(grep -c 'got USR1' '$HOSTDIR/log')\" = $n ]"
	done
	GODEBUG=inittrace=1 "$RT" --root "$ROOT" kill "$ID" RTMIN+1 2>"$BUNDLE/err"
	grep -q '^init runtime @' "$BUNDLE/err"
	wait_until 'grep -q "got 35" "$HOSTDIR/log"'
	run "$RT" --root "$ROOT" kill "$ID" NOSUCH
	[ "$status" -ne 0 ]
	[[ "$output" == *'unknown signal "NOSUCH"'* ]]
	GODEBUG=inittrace=1 "$RT" --root "$ROOT" kill "$ID" 2>"$BUNDLE/err" # SIGTERM
	[ ! -s "$BUNDLE/err" ]
	wait_for_status "$ID" stopped
	grep -q "got TERM" "$HOSTDIR/log"
	# Not running: the Go code says so.
	run "$RT" --root "$ROOT" kill "$ID" KILL
	[ "$status" -ne 0 ]
	[[ "$output" == *"container not running"* ]]
	rt delete "$ID"
	assert_nothing_left
}
