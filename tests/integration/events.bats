#!/usr/bin/env bats
# rt events: runc's JSON stats and OOM events.

load helpers
load cgroup_helpers

setup() { setup_bundle; }
teardown() {
	[ -n "${EVENTS_PID:-}" ] && kill "$EVENTS_PID" 2>/dev/null
	teardown_bundle
}

@test "events --stats: one stats event with runc's field names" {
	update_config '.linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 40}
		| .linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 2097152}]'
	run_detached 'sleep 1000 & i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; wait'
	wait_until '[ "$(cg "$ID" pids pids.current)" -eq 2 ]'
	run rt events --stats "$ID"
	[ "$status" -eq 0 ]
	echo "$output"
	[ "${#lines[@]}" -eq 1 ]
	local ev=$output
	[ "$(jq -r .type <<<"$ev")" = stats ]
	[ "$(jq -r .id <<<"$ev")" = "$ID" ]
	[ "$(jq -c '.data | keys' <<<"$ev")" = '["blkio","cpu","cpuset","hugetlb","intel_rdt","memory","network_interfaces","pids"]' ]
	[ "$(jq '.data.cpu.usage.total' <<<"$ev")" -gt 0 ]
	if [ "$(cg_layout)" = v2 ]; then
		# cgroup v2 has no per-CPU usage: runc leaves percpu out too.
		jq -e '.data.cpu.usage | has("percpu") | not' <<<"$ev"
	else
		[ "$(jq '.data.cpu.usage.percpu | length' <<<"$ev")" -eq "$(nproc)" ]
	fi
	jq -e '.data.cpu.usage | has("kernel") and has("user")' <<<"$ev"
	jq -e '.data.cpu | has("throttling")' <<<"$ev"
	[ "$(jq '.data.memory.usage.limit' <<<"$ev")" -eq 67108864 ]
	[ "$(jq '.data.memory.usage.usage' <<<"$ev")" -gt 0 ]
	jq -e '.data.memory.usage | has("max") and has("failcnt")' <<<"$ev"
	jq -e '.data.memory | has("swap") and has("kernel") and has("kernelTCP")' <<<"$ev"
	if [ "$(cg_layout)" = v2 ]; then
		# memory.stat's own keys.
		[ "$(jq '.data.memory.raw.anon + .data.memory.raw.file > 0' <<<"$ev")" = true ]
	else
		[ "$(jq '.data.memory.raw.total_rss + .data.memory.raw.total_cache >= 0' <<<"$ev")" = true ]
	fi
	[ "$(jq -c '.data.pids' <<<"$ev")" = '{"current":2,"limit":40}' ]
	[ "$(jq -c '.data.hugetlb["2MB"]' <<<"$ev")" = '{"failcnt":0}' ]
	[ "$(jq -c '.data.cpuset.cpus' <<<"$ev")" = "$(seq 0 $(($(nproc) - 1)) | jq -sc .)" ]
	# Same top-level shape as runc's own `runc events --stats`.
	[ "$(jq -c '.data.memory.usage | keys' <<<"$ev")" = '["failcnt","limit","max","usage"]' ]
}

@test "events: a stats event every interval, exits when the container stops" {
	run_detached 'sleep 1000'
	wait_status "$ID" running
	rt events --interval 200ms "$ID" >"$BUNDLE/events" 2>"$BUNDLE/events.err" &
	EVENTS_PID=$!
	wait_until '[ "$(grep -c '\''"type":"stats"'\'' "$BUNDLE/events")" -ge 3 ]'
	rt kill "$ID" KILL
	wait "$EVENTS_PID" # exits by itself, with status 0
	EVENTS_PID=
	jq -e --arg id "$ID" 'select(.type == "stats") | .id == $id and .data.pids.current >= 1' "$BUNDLE/events" >/dev/null
	[ ! -s "$BUNDLE/events.err" ]
}

@test "events: the OOM killer firing is an oom event" {
	update_config '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
	# Waits for the host's go, then eats memory until the OOM killer kills it.
	run_detached 'while [ ! -e /tmp/go ]; do sleep 0.1; done; tail /dev/zero; sleep 1000'
	wait_status "$ID" running
	rt events --interval 1s "$ID" >"$BUNDLE/events" 2>"$BUNDLE/events.err" &
	EVENTS_PID=$!
	# A first stats event: rt events has read the OOM counter.
	wait_until 'grep -q "\"type\":\"stats\"" "$BUNDLE/events"'
	touch "$BUNDLE/rootfs/tmp/go"
	wait_until 'grep -q "\"type\":\"oom\"" "$BUNDLE/events"'
	grep -x "{\"type\":\"oom\",\"id\":\"$ID\"}" "$BUNDLE/events"
	# The kernel's side: one kill, the limit hit; the container lives on (sh).
	[ "$(oom_kills "$ID")" -ge 1 ]
	# The peak usage reached the limit (this kernel no longer counts failcnt).
	if [ "$(cg_layout)" = v2 ]; then
		[ "$(awk '$1 == "max" {print $2}' "$(cgroup_dir "$ID" memory)/memory.events")" -ge 1 ]
	else
		[ "$(cg "$ID" memory memory.max_usage_in_bytes)" -ge $((31 << 20)) ]
	fi
	[ "$(rt state "$ID" | jq -r .status)" = running ]
	rt kill "$ID" KILL
	wait "$EVENTS_PID"
	EVENTS_PID=
	[ "$(grep -c '"type":"oom"' "$BUNDLE/events")" -eq "$(oom_kills "$ID")" ]
}

@test "events: the OOM killer killing init is reported before the stream ends" {
	update_config '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
	set_script 'while [ ! -e /tmp/go ]; do sleep 0.1; done; exec tail /dev/zero'
	rt run -d --bundle "$BUNDLE" "$ID" </dev/null
	rt events --interval 1s "$ID" >"$BUNDLE/events" 2>"$BUNDLE/events.err" &
	EVENTS_PID=$!
	wait_until 'grep -q "\"type\":\"stats\"" "$BUNDLE/events"'
	touch "$BUNDLE/rootfs/tmp/go"
	wait "$EVENTS_PID" # ends by itself when init is killed
	EVENTS_PID=
	wait_status "$ID" stopped
	grep -x "{\"type\":\"oom\",\"id\":\"$ID\"}" "$BUNDLE/events"
}

@test "events: a stopped or missing container is an error" {
	run_inside 'true'
	run rt events --stats "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"container $ID is not running"* ]]
	run rt events "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"container $ID is not running"* ]]
	run rt events --stats "$ID-missing"
	[ "$status" -ne 0 ]
	[[ "$output" == *"container does not exist"* ]]
	run rt events --interval 0s "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"--interval: 0s must be positive"* ]]
}
