#!/usr/bin/env bats
# rt pause / rt resume through the v1 freezer (cgroup.freeze on v2): the
# helpers read the files of the host's layout.

load helpers
load cgroup_helpers

setup() { setup_bundle; }
teardown() { teardown_bundle; }

usage() { cpu_usage "$ID"; }

@test "pause freezes a busy loop exactly, resume lets it run again" {
	run_detached 'while :; do :; done'
	wait_status "$ID" running
	# Let the loop accrue some CPU time first.
	local u0
	u0=$(usage)
	wait_until '[ "$(usage)" -gt "$u0" ]'

	rt pause "$ID"
	[ "$(rt state "$ID" | jq -r .status)" = paused ]
	[ "$(freezer_state "$ID")" = FROZEN ]
	[ "$(rt list | awk -v id="$ID" '$1 == id {print $3}')" = paused ]
	local a b
	a=$(usage)
	sleep 1
	b=$(usage)
	echo "cpu usage while frozen: $a then $b"
	[ "$a" -eq "$b" ] # not one nanosecond while frozen

	rt resume "$ID"
	[ "$(rt state "$ID" | jq -r .status)" = running ]
	[ "$(freezer_state "$ID")" = THAWED ]
	wait_until '[ "$(usage)" -gt "$b" ]'
}

@test "pause and resume refuse containers in the wrong state" {
	run_detached 'sleep 1000'
	wait_status "$ID" running

	run rt resume "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"cannot resume container $ID: it is running, not paused"* ]]

	rt pause "$ID"
	run rt pause "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"cannot pause container $ID: it is paused, not running"* ]]
	rt resume "$ID"

	rt kill "$ID" KILL
	wait_status "$ID" stopped
	run rt pause "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"cannot pause container $ID: it is stopped, not running"* ]]
	run rt resume "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"it is stopped, not paused"* ]]

	run rt pause "$ID-missing"
	[ "$status" -ne 0 ]
	[[ "$output" == *"container does not exist"* ]]
	run rt pause
	[ "$status" -ne 0 ]
	[[ "$output" == *"missing container id"* ]]
}

@test "a created container can be paused and resumed, then started" {
	set_script 'echo started; sleep 2' # see run_inside: start must see it run
	rt create --bundle "$BUNDLE" "$ID" >"$BUNDLE/out" 2>&1
	rt pause "$ID"
	[ "$(rt state "$ID" | jq -r .status)" = paused ]
	# A frozen init cannot take START: refused, and still paused after.
	run rt start "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"cannot start container $ID: it is paused, not created"* ]]
	[ "$(rt state "$ID" | jq -r .status)" = paused ]
	rt resume "$ID"
	[ "$(rt state "$ID" | jq -r .status)" = created ]
	rt start "$ID"
	wait_status "$ID" stopped
	[ "$(cat "$BUNDLE/out")" = started ]
}

@test "kill KILL of a paused container stops it" {
	run_detached 'while :; do :; done'
	rt pause "$ID"
	rt kill "$ID" KILL
	wait_status "$ID" stopped
	wait_until '[ "$(freezer_state "$ID")" = THAWED ]'
	rt delete "$ID"
	[ ! -e "$ROOT/$ID" ]
}

@test "kill TERM of a paused container is delivered on resume" {
	run_detached 'trap "exit 3" TERM; while :; do :; done'
	wait_status "$ID" running
	rt pause "$ID"
	rt kill "$ID" TERM
	[ "$(rt state "$ID" | jq -r .status)" = paused ]
	rt resume "$ID"
	wait_status "$ID" stopped
}

@test "kill --all KILL of a paused container stops every process" {
	run_detached 'sleep 1000 & sleep 1000 & while :; do :; done'
	wait_until '[ "$(rt ps -f json "$ID" | jq length)" -eq 3 ]'
	rt pause "$ID"
	rt kill --all "$ID" KILL
	wait_status "$ID" stopped
	wait_until '[ -z "$(cg "$ID" pids cgroup.procs)" ]'
}

@test "kill --all TERM leaves a paused container paused" {
	run_detached 'trap "exit 3" TERM; while :; do :; done'
	wait_status "$ID" running
	rt pause "$ID"
	rt kill --all "$ID" TERM
	[ "$(rt state "$ID" | jq -r .status)" = paused ]
	rt resume "$ID"
	wait_status "$ID" stopped
}

@test "delete -f of a paused container removes it and its cgroups" {
	run_detached 'while :; do :; done'
	rt pause "$ID"
	local dirs d
	dirs=$(cgroup_dirs "$ID")
	rt delete -f "$ID"
	[ ! -e "$ROOT/$ID" ]
	for d in $dirs; do
		[ ! -e "$d" ]
	done
}
