#!/usr/bin/env bats
# rt ps: the container's processes, as host pids (json) or the host's ps rows.

load helpers
load cgroup_helpers

setup() {
	setup_bundle
	run_detached 'sleep 1001 & sleep 1002 & wait'
	wait_until '[ "$(rt ps -f json "$ID" | jq length)" -eq 3 ]'
}
teardown() { teardown_bundle; }

@test "ps --format json: the host pids of the container's cgroup" {
	run rt ps --format json "$ID"
	[ "$status" -eq 0 ]
	local pid
	pid=$(rt state "$ID" | jq .pid)
	jq -e --argjson p "$pid" 'index($p) != null' <<<"$output"
	[ "$(jq -c 'sort' <<<"$output")" = "$(sort -n "$(cgroup_dir "$ID" pids)/cgroup.procs" | jq -sc .)" ]
	# -f is short for --format.
	[ "$(rt ps -f json "$ID" | jq -c sort)" = "$(jq -c sort <<<"$output")" ]
}

@test "ps: a table of the host's ps -ef rows for those pids" {
	run rt ps "$ID"
	[ "$status" -eq 0 ]
	echo "$output"
	[[ "${lines[0]}" == UID*PID*PPID*CMD ]]
	[ "${#lines[@]}" -eq 4 ]
	[[ "$output" == *"sleep 1001"* ]]
	[[ "$output" == *"sleep 1002"* ]]
	# Nothing but the container's processes.
	local pids
	pids=$(printf '%s\n' "${lines[@]:1}" | awk '{print $2}' | sort -n | jq -sc .)
	[ "$pids" = "$(rt ps -f json "$ID" | jq -c sort)" ]
}

@test "ps -- OPTIONS: the given ps options" {
	run rt ps "$ID" -- -o pid,args
	[ "$status" -eq 0 ]
	echo "$output"
	[ "$(awk '{print $1}' <<<"${lines[0]}")" = PID ]
	[ "${#lines[@]}" -eq 4 ]
	[[ "$output" == *"sleep 1001"* ]]
	run rt ps "$ID" -o user,pid,comm
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
}

@test "ps: bad format, ps output without PID, missing container" {
	run rt ps --format yaml "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *'--format: "yaml" is not table or json'* ]]
	run rt ps "$ID" -- -o args
	[ "$status" -ne 0 ]
	[[ "$output" == *"no PID column"* ]]
	run rt ps "$ID-missing"
	[ "$status" -ne 0 ]
	[[ "$output" == *"container does not exist"* ]]
}

@test "ps of a stopped container is an empty list" {
	rt kill "$ID" KILL
	wait_status "$ID" stopped
	wait_until '[ "$(rt ps -f json "$ID")" = "[]" ]'
	run rt ps "$ID"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
}
