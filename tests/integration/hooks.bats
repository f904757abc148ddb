#!/usr/bin/env bats
# OCI hooks: createRuntime/prestart before the container's program runs, in
# the runtime's namespaces with the state on stdin; poststart after start;
# poststop on delete; a failing creation hook fails create and leaves nothing.

load helpers

setup() {
	setup_bundle
	LOG="$BUNDLE/hook.log"
	# A hook that appends its argv[1] and the state it was given to $LOG.
	cat >"$BUNDLE/hook.sh" <<-EOS
	#!/bin/sh
	read -r state
	echo "\$1 \$state" >>"$LOG"
	EOS
	chmod +x "$BUNDLE/hook.sh"
}

teardown() {
	teardown_bundle
}

hook() { # hook STAGE: a hook JSON object for stage
	echo "{\"path\": \"$BUNDLE/hook.sh\", \"args\": [\"hook.sh\", \"$1\"]}"
}

@test "hooks run at their stages with the container state on stdin" {
	update_config ".hooks = {
		\"prestart\": [$(hook prestart)], \"createRuntime\": [$(hook createRuntime)],
		\"poststart\": [$(hook poststart)], \"poststop\": [$(hook poststop)]} |
		.process.args = [\"sleep\", \"100\"]"
	rt create --bundle "$BUNDLE" "$ID"
	run cut -d' ' -f1 "$LOG"
	[ "$output" = "$(printf 'prestart\ncreateRuntime')" ]
	pid=$(state_field "$ID" pid)
	# createRuntime saw the creating container with the pid rt reports.
	run jq -r 'select(.status == "creating") | "\(.id) \(.pid)"' < <(grep '^createRuntime' "$LOG" | cut -d' ' -f2-)
	[ "$output" = "$ID $pid" ]
	rt start "$ID"
	grep -q "^poststart .*\"status\":\"running\"" "$LOG"
	rt delete -f "$ID"
	grep -q "^poststop .*\"status\":\"stopped\"" "$LOG"
	[ "$(wc -l <"$LOG")" -eq 4 ]
}

@test "a failing createRuntime hook fails create, names the hook, leaves nothing" {
	update_config ".hooks.createRuntime = [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"echo wiring failed >&2; exit 3\"]}]"
	run rt create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"hooks.createRuntime[0] (/bin/sh)"*"wiring failed"* ]]
	[ ! -e "$ROOT/$ID" ]
	run find /sys/fs/cgroup -maxdepth 3 -name "$ID"
	[ -z "$output" ]
	run pgrep -f "$ID"
	[ "$status" -ne 0 ]
}

@test "a hook that outlives its timeout fails create" {
	update_config ".hooks.prestart = [{\"path\": \"/bin/sleep\", \"args\": [\"sleep\", \"30\"], \"timeout\": 1}]"
	run rt create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"hooks.prestart[0] (/bin/sleep): timed out after 1s"* ]]
	[ ! -e "$ROOT/$ID" ]
}

@test "a failing poststart or poststop hook is a warning, not a failure" {
	update_config '.hooks = {"poststart": [{"path": "/bin/false"}], "poststop": [{"path": "/bin/false"}]} | .process.args = ["sleep", "100"]'
	rt create --bundle "$BUNDLE" "$ID"
	run rt start "$ID"
	[ "$status" -eq 0 ]
	[[ "$output" == *"warning: hooks.poststart[0] (/bin/false)"* ]]
	[ "$(state_field "$ID" status)" = running ]
	run rt delete -f "$ID"
	[ "$status" -eq 0 ]
	[[ "$output" == *"warning: hooks.poststop[0] (/bin/false)"* ]]
	[ ! -e "$ROOT/$ID" ]
}

@test "bad hooks are refused with their JSON path" {
	update_config '.hooks.poststart = [{"path": "relative/hook"}]'
	run rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"hooks.poststart[0].path"*"not an absolute path"* ]]
	update_config '.hooks.poststart = [{"path": "/bin/true", "timeout": 0}]'
	run rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"hooks.poststart[0].timeout"* ]]
	update_config '.hooks = {"startContainer": [{"path": "/bin/true"}]}'
	run rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"hooks.startContainer[0]"*"not supported"* ]]
	[ ! -e "$ROOT/$ID" ]
}
