#!/usr/bin/env bats
# The container's process: args, env, cwd, user, rlimits, no_new_privs,
# capabilities, oomScoreAdj, stdio.

load helpers

setup() { setup_bundle; }
teardown() { teardown_bundle; }

# capmask CAP...: the /proc/PID/status hex mask of the capabilities.
capmask() {
	local m=0 c n
	for c in "$@"; do
		n=$(grep -m1 -w "$c" /usr/include/linux/capability.h | awk '{print $3}')
		m=$((m | (1 << n)))
	done
	printf '%016x' "$m"
}

@test "args, env and cwd" {
	update_config '.process.args = ["sh", "-c", "echo \"$0|$1|$FOO|$HOME|$PATH\"; pwd", "arg 0", "arg 1"] |
		.process.env += ["FOO=bar baz"] | .process.cwd = "/tmp"'
	run rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "arg 0|arg 1|bar baz|/root|/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" ]
	[ "${lines[1]}" = /tmp ]
}

@test "a cwd missing in a writable rootfs is created, as runc does" {
	update_config '.root.readonly = false | .process.cwd = "/new/dir"'
	run_ok 'pwd'
	[ "$output" = /new/dir ]
	[ -d "$BUNDLE/rootfs/new/dir" ]
}

@test "user: uid, gid, additionalGids, umask" {
	chmod 1777 "$BUNDLE/rootfs/tmp"
	update_config '.process.user = {"uid": 1000, "gid": 1001, "additionalGids": [5, 6], "umask": 63} | .root.readonly = false'
	run_ok 'id -u; id -g; grep ^Groups: /proc/self/status; umask; touch /tmp/f; stat -c "%u:%g %a" /tmp/f'
	[ "${lines[0]}" = 1000 ]
	[ "${lines[1]}" = 1001 ]
	[ "$(echo ${lines[2]})" = "Groups: 5 6" ]
	[ "${lines[3]}" = 0077 ]
	[ "${lines[4]}" = "1000:1001 600" ]
}

@test "rlimits: lowered soft and hard limits" {
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 100, "hard": 200}, {"type": "RLIMIT_NPROC", "soft": 50, "hard": 60}]'
	run_ok 'ulimit -Sn; ulimit -Hn; ulimit -Su; ulimit -Hu'
	[ "$output" = $'100\n200\n50\n60' ]
}

@test "noNewPrivileges: set and not set" {
	run_ok 'grep ^NoNewPrivs: /proc/self/status'
	[ "$(echo $output)" = "NoNewPrivs: 1" ]
	update_config '.process.noNewPrivileges = false'
	run_ok 'grep ^NoNewPrivs: /proc/self/status'
	[ "$(echo $output)" = "NoNewPrivs: 0" ]
}

@test "capabilities: all five sets for root" {
	update_config '.process.capabilities = {"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"],
		"effective": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"], "permitted": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"],
		"inheritable": ["CAP_KILL"], "ambient": ["CAP_KILL"]}'
	run_ok 'grep ^Cap /proc/self/status'
	all=$(capmask CAP_CHOWN CAP_KILL CAP_NET_RAW)
	kill=$(capmask CAP_KILL)
	[ "$output" = "$(printf 'CapInh:\t%s\nCapPrm:\t%s\nCapEff:\t%s\nCapBnd:\t%s\nCapAmb:\t%s' "$kill" "$all" "$all" "$all" "$kill")" ]
}

@test "capabilities: all five sets for a non-root user (ambient carries them over exec)" {
	update_config '.process.user = {"uid": 1000, "gid": 1000} |
		.process.capabilities = {"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"],
		"effective": ["CAP_CHOWN", "CAP_NET_RAW"], "permitted": ["CAP_CHOWN", "CAP_NET_RAW"],
		"inheritable": ["CAP_CHOWN", "CAP_NET_RAW"], "ambient": ["CAP_NET_RAW"]}'
	run_ok 'grep ^Cap /proc/self/status'
	# After execve a non-root process without file capabilities keeps
	# only its ambient set in permitted and effective.
	inh=$(capmask CAP_CHOWN CAP_NET_RAW)
	amb=$(capmask CAP_NET_RAW)
	bnd=$(capmask CAP_CHOWN CAP_KILL CAP_NET_RAW)
	[ "$output" = "$(printf 'CapInh:\t%s\nCapPrm:\t%s\nCapEff:\t%s\nCapBnd:\t%s\nCapAmb:\t%s' "$inh" "$amb" "$amb" "$bnd" "$amb")" ]
}

@test "oomScoreAdj" {
	update_config '.process.oomScoreAdj = 567'
	run_ok 'cat /proc/self/oom_score_adj'
	[ "$output" = 567 ]
}

@test "stdio is passed through: stdin in, stdout and stderr apart" {
	update_config '.process.args = ["sh", "-c", "read -r l; echo \"out:$l\"; echo err >&2"]'
	out=$(echo hello | rt run --bundle "$BUNDLE" "$ID" 2>"$BUNDLE/err")
	[ "$out" = out:hello ]
	[ "$(cat "$BUNDLE/err")" = err ]
}

@test "stdio of create is the container's: output after start lands where create's went" {
	update_config '.process.args = ["sh", "-c", "echo out; echo err >&2"]'
	rt create --bundle "$BUNDLE" "$ID" >"$BUNDLE/out" 2>"$BUNDLE/err" </dev/null
	[ ! -s "$BUNDLE/out" ]
	rt start "$ID"
	wait_until '[ "$(state_field "$ID" status)" = stopped ]'
	[ "$(cat "$BUNDLE/out")" = out ]
	[ "$(cat "$BUNDLE/err")" = err ]
}

@test "the container, exec'd processes and hooks get the host's timer slack and CPU mask, not rt's" {
	host=$(cat /proc/$$/timerslack_ns)
	cpus=$(awk '/^Cpus_allowed_list/ {print $2}' /proc/$$/status)
	printf '#!/bin/sh\ncat /proc/self/timerslack_ns >%s\ngrep Cpus_allowed_list /proc/self/status >>%s\n' \
		"$BUNDLE/hook.out" "$BUNDLE/hook.out" >"$BUNDLE/hook.sh"
	chmod +x "$BUNDLE/hook.sh"
	update_config ".process.args = [\"sleep\", \"100\"] | .hooks.prestart = [{\"path\": \"$BUNDLE/hook.sh\"}]"
	"$RT" --root "$ROOT" run --bundle "$BUNDLE" "$ID" </dev/null &
	runpid=$!
	wait_until '[ "$(state_field "$ID" status 2>/dev/null)" = running ]'
	# rt itself sleeps with its coarse slack, so the checks below can fail.
	[ "$(cat /proc/$runpid/timerslack_ns)" -ge 2000000 ]
	pid=$(state_field "$ID" pid)
	[ "$(cat /proc/"$pid"/timerslack_ns)" = "$host" ]
	[ "$(rt exec "$ID" cat /proc/self/timerslack_ns)" = "$host" ]
	[ "$(head -1 "$BUNDLE/hook.out")" = "$host" ]
	# rt's Go runtime started on one CPU; every thread of rt, and so all it
	# starts, has the whole mask back.
	for t in /proc/$runpid/task/*; do
		[ "$(awk '/^Cpus_allowed_list/ {print $2}' "$t/status")" = "$cpus" ]
	done
	[ "$(awk '/^Cpus_allowed_list/ {print $2}' /proc/"$pid"/status)" = "$cpus" ]
	[ "$(rt exec "$ID" awk '/^Cpus_allowed_list/ {print $2}' /proc/self/status)" = "$cpus" ]
	[ "$(tail -1 "$BUNDLE/hook.out" | awk '{print $2}')" = "$cpus" ]
	rt kill "$ID" KILL
	wait "$runpid" || true
}
