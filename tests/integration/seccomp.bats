#!/usr/bin/env bats
# linux.seccomp: rt compiles the filter with libseccomp and the container's
# init loads it just before execve; errnos, kill actions, argument
# comparisons, a Docker-like default profile, the notify agent, bad input.

load helpers
load cgroup_helpers

DOCKER_PROFILE="$BATS_TEST_DIRNAME/testdata/docker-default.json"
AGENT="$BATS_TEST_DIRNAME/../../contrib/cmd/seccompagent/seccompagent"

setup_file() {
	# the agent of the notify tests (make seccompagent)
	PATH="$PATH:/usr/local/go/bin" make -s -C "$BATS_TEST_DIRNAME/../.." seccompagent
}

setup() {
	setup_bundle
	update_config '.root.readonly = false'
	AGENT_PID=
}

teardown() {
	[ -n "$AGENT_PID" ] && kill "$AGENT_PID" 2>/dev/null && wait "$AGENT_PID" 2>/dev/null
	teardown_bundle
}

# seccomp JSON: set linux.seccomp.
seccomp() {
	update_config ".linux.seccomp = $1"
}

# sh_args SCRIPT: the container runs sh -c SCRIPT.
sh_args() {
	update_config ".process.args = [\"sh\", \"-c\", $(jq -Rn --arg s "$1" '$s')]"
}

# docker_allow_except NAME...: the Docker-like profile without NAMEs in its allow list.
docker_allow_except() {
	jq -c '.syscalls[0].names -= $ARGS.positional' "$DOCKER_PROFILE" --args "$@"
}

# start_agent ERRNO: a seccomp agent answering mkdir with ERRNO (0: success without running it).
start_agent() {
	SOCK="$BUNDLE/agent.sock"
	AGENT_LOG="$BUNDLE/agent.log"
	"$AGENT" -socket "$SOCK" -log "$AGENT_LOG" -syscall mkdir -errno "$1" 3>&- &
	AGENT_PID=$!
	local i
	for i in $(seq 1 250); do
		[ -S "$SOCK" ] && return 0
		sleep 0.02
	done
	echo "agent did not listen on $SOCK" >&2
	return 1
}

@test "a denied system call fails with the configured errno, an allowed one works" {
	seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 28},
		{"names": ["rmdir"], "action": "SCMP_ACT_ERRNO"}]}'
	sh_args 'mkdir /tmp/d; rmdir /tmp; touch /tmp/f && echo touched; grep Seccomp: /proc/self/status'
	run rt run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"mkdir: can't create directory '/tmp/d': No space left on device"* ]]
	[[ "$output" == *"rmdir: '/tmp': Operation not permitted"* ]] # the spec's default errno is EPERM
	[[ "$output" == *touched* ]]
	[[ "$output" == *"Seccomp:"*2* ]]
	[ ! -e "$BUNDLE/rootfs/tmp/d" ]
	[ -e "$BUNDLE/rootfs/tmp/f" ]
}

@test "defaultAction ERRNO with defaultErrnoRet and an allow list; rt's own start calls need not be allowed" {
	# Without mkdir, and without the calls rt's init makes on its sync and
	# start sockets after the filter could be loaded: the filter goes in
	# after the start barrier, so neither run nor create/start needs them.
	seccomp "$(docker_allow_except mkdir mkdirat accept accept4 recvfrom recvmsg sendto sendmsg | jq -c '.defaultErrnoRet = 38')"
	sh_args 'echo hello; mkdir /tmp/d'
	run rt run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *hello* ]]
	[[ "$output" == *"mkdir: can't create directory '/tmp/d': Function not implemented"* ]]

	sh_args 'echo hello > /tmp/out; mkdir /tmp/d 2>>/tmp/out'
	rt create --bundle "$BUNDLE" "$ID"
	# created: init waits for start with no filter loaded yet (as late as possible)
	pid=$(state_field "$ID" pid)
	grep -E '^Seccomp:\s+0$' "/proc/$pid/status"
	rt start "$ID"
	wait_for_status "$ID" stopped
	cat "$BUNDLE/rootfs/tmp/out"
	grep -q hello "$BUNDLE/rootfs/tmp/out"
	grep -q "Function not implemented" "$BUNDLE/rootfs/tmp/out"
}

@test "SCMP_ACT_KILL, KILL_PROCESS and TRAP end the process with SIGSYS (exit 159)" {
	for act in SCMP_ACT_KILL SCMP_ACT_KILL_PROCESS SCMP_ACT_KILL_THREAD SCMP_ACT_TRAP; do
		seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"$act\"}]}"
		update_config '.process.args = ["mkdir", "/tmp/d"]'
		run rt run --bundle "$BUNDLE" "$ID"
		echo "$act: status=$status $output"
		[ "$status" -eq 159 ]
		[ ! -e "$BUNDLE/rootfs/tmp/d" ]
	done
}

@test "SCMP_ACT_TRACE without a tracer fails the call with ENOSYS, SCMP_ACT_LOG lets it run and logs it" {
	seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_TRACE", "errnoRet": 5},
		{"names": ["rmdir"], "action": "SCMP_ACT_LOG"}]}'
	sh_args 'mkdir /tmp/d; rmdir /bin'
	run rt run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[[ "$output" == *"mkdir: can't create directory '/tmp/d': Function not implemented"* ]]
	[[ "$output" == *"rmdir: '/bin': Directory not empty"* ]] # it ran: the kernel's own answer

	# the kernel logs a SECCOMP_RET_LOG (0x7ffc0000) hit of rmdir (84) by the container's pid
	grep -qw log /proc/sys/kernel/seccomp/actions_logged
	update_config '.process.args = ["rmdir", "/bin"]'
	rt create --bundle "$BUNDLE" "$ID-log"
	pid=$(state_field "$ID-log" pid)
	rt start "$ID-log"
	local i
	for i in $(seq 1 250); do
		dmesg | grep -E "audit: type=1326 .* pid=$pid .* syscall=84 .*code=0x7ffc0000" && return 0
		sleep 0.02
	done
	dmesg | tail -5
	return 1
}

@test "argument comparison: socket denied for AF_INET6 only, personality denied for LINUX32 only" {
	seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 10, "op": "SCMP_CMP_EQ"}]},
		{"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
		 "args": [{"index": 0, "value": 255, "valueTwo": 8, "op": "SCMP_CMP_MASKED_EQ"}]}]}'
	sh_args 'nc ::1 1; nc 127.0.0.1 1; linux32 uname -m; uname -m'
	run rt run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[[ "$output" == *"nc: socket: Operation not permitted"* ]]         # AF_INET6 denied
	[[ "$output" == *"(127.0.0.1): Connection refused"* ]]             # AF_INET went on to connect
	[[ "$output" == *"linux32: personality(0x8): Permission denied"* ]] # EACCES for PER_LINUX32
	[[ "$output" == *x86_64* ]]                                         # uname itself works
}

@test "Docker's default profile runs a busybox shell that does normal work" {
	seccomp "$(cat "$DOCKER_PROFILE")"
	sh_args 'mkdir -p /tmp/a/b && echo data > /tmp/a/b/f && echo bytes=$(cat /tmp/a/b/f | wc -c) && ls /tmp/a && echo pid1=$(ps -o pid,comm | awk '\''$1 == 1 {print $2}'\'') && (sleep 0.1 &) && wait && echo uid=$(id -u) && echo chain-ok; unshare -m true; echo unshare=$?'
	run rt run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"bytes=5"* ]]
	[[ "$output" == *"pid1=sh"* ]]
	[[ "$output" == *"uid=0"* ]]
	[[ "$output" == *"chain-ok"* ]]
	[[ "$output" == *"unshare=1"* ]] # not in the allow list
}

@test "the filter is loaded without no_new_privs too (before the uid switch), for a non-root user" {
	update_config '.process.noNewPrivileges = false | .process.user = {"uid": 65534, "gid": 65534}'
	seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 28}]}'
	sh_args 'grep -E "^(NoNewPrivs|Seccomp|Uid):" /proc/self/status; mkdir /tmp/d'
	run rt run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[[ "$output" == *"NoNewPrivs:"*0* ]]
	[[ "$output" == *"Seccomp:"*2* ]]
	[[ "$output" == *"Uid:"*65534* ]]
	[[ "$output" == *"No space left on device"* ]]
}

@test "SCMP_ACT_NOTIFY: the agent gets the state and the fd, and answers mkdir with its errno" {
	start_agent 28
	seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"$SOCK\", \"listenerMetadata\": \"meta-$ID\",
		\"flags\": [\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"],
		\"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}"
	sh_args 'mkdir /tmp/d; touch /tmp/f && echo touched'
	run rt run --bundle "$BUNDLE" "$ID"
	echo "$output"
	cat "$AGENT_LOG"
	[ "$status" -eq 0 ]
	[[ "$output" == *"mkdir: can't create directory '/tmp/d': No space left on device"* ]]
	[[ "$output" == *touched* ]]
	state=$(head -n1 "$AGENT_LOG")
	[ "$(jq -r .ociVersion <<<"$state")" = "$(jq -r .ociVersion "$BUNDLE/config.json")" ]
	[ "$(jq -c .fds <<<"$state")" = '["seccompFd"]' ]
	[ "$(jq -r .metadata <<<"$state")" = "meta-$ID" ]
	[ "$(jq -r .state.id <<<"$state")" = "$ID" ]
	[ "$(jq -r .state.status <<<"$state")" = creating ]
	[ "$(jq -r .state.bundle <<<"$state")" = "$BUNDLE" ]
	[ "$(jq -r .pid <<<"$state")" -gt 0 ]
	[ "$(jq -r .pid <<<"$state")" = "$(jq -r .state.pid <<<"$state")" ]
	grep -q "answered mkdir" "$AGENT_LOG"
}

@test "SCMP_ACT_NOTIFY with create/start: the fd is handed over at create, the agent makes mkdir succeed without running it" {
	start_agent 0
	seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"$SOCK\",
		\"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}"
	sh_args 'mkdir /tmp/d && echo mkdir-ok > /tmp/out'
	rt create --bundle "$BUNDLE" "$ID"
	pid=$(state_field "$ID" pid)
	[ "$(jq -r .pid "$AGENT_LOG" 2>/dev/null | head -n1)" = "$pid" ]
	grep -E '^Seccomp:\s+2$' "/proc/$pid/status" # loaded before READY: the agent has the fd
	rt start "$ID"
	wait_for_status "$ID" stopped
	grep -q mkdir-ok "$BUNDLE/rootfs/tmp/out"
	[ ! -e "$BUNDLE/rootfs/tmp/d" ] # "succeeded" without being run
}

@test "SCMP_ACT_NOTIFY without no_new_privs: the filter goes in before the uid switch and the agent still gets the fd" {
	start_agent 28
	update_config '.process.noNewPrivileges = false | .process.user = {"uid": 65534, "gid": 65534}'
	seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"$SOCK\",
		\"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}"
	sh_args 'id -u; mkdir /tmp/d'
	run rt run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[[ "$output" == *65534* ]]
	[[ "$output" == *"No space left on device"* ]]
	grep -q "answered mkdir" "$AGENT_LOG"
}

@test "SCMP_ACT_NOTIFY without an agent listening fails create naming listenerPath, leaving nothing" {
	seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"$BUNDLE/nobody.sock\",
		\"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}"
	run rt run --bundle "$BUNDLE" "$ID"
	assert_clean_failure "linux.seccomp.listenerPath: connect to seccomp agent at $BUNDLE/nobody.sock"
}

@test "an unknown system call name is skipped, said in the debug log only, and the container runs" {
	seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["no_such_syscall", "mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
	sh_args 'mkdir /tmp/d; echo ran'
	run rt run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	# As runc: a profile lists newer calls on purpose (docker's does), so
	# every container start would warn.
	[[ "$output" != *no_such_syscall* ]]
	[[ "$output" == *"Operation not permitted"* ]]
	[[ "$output" == *ran* ]]
	run rt --debug run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *'debug: linux.seccomp.syscalls[0].names[0]: unknown system call "no_such_syscall" skipped'* ]]
}

@test "bad linux.seccomp input: an error naming the JSON path, nothing left behind" {
	while IFS='|' read -r json want; do
		seccomp "$json"
		run rt run --bundle "$BUNDLE" "$ID"
		assert_clean_failure "$want"
	done <<-'EOF'
	{"defaultAction": "SCMP_ACT_NOPE"}|linux.seccomp.defaultAction: unknown action "SCMP_ACT_NOPE"
	{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_Z80"]}|linux.seccomp.architectures[0]: unknown architecture "SCMP_ARCH_Z80"
	{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_BOGUS"]}|linux.seccomp.flags[0]: unknown flag "SECCOMP_FILTER_FLAG_BOGUS"
	{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_LOG"}, {"names": ["write"], "action": "SCMP_ACT_LOG"}, {"names": ["open"], "action": "SCMP_ACT_LOG"}, {"names": ["mkdir"], "action": "SCMP_ACT_DENY"}]}|linux.seccomp.syscalls[3].action: unknown action "SCMP_ACT_DENY"
	{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 2, "op": "SCMP_CMP_ABOUT"}]}]}|linux.seccomp.syscalls[0].args[0].op: unknown operator "SCMP_CMP_ABOUT"
	{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["socket"], "action": "SCMP_ACT_ALLOW", "errnoRet": 1}]}|linux.seccomp.syscalls[0].errnoRet: SCMP_ACT_ALLOW takes no errno
	{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]}|linux.seccomp.listenerPath: missing
	EOF
}

@test "rt features reports seccomp with its actions, operators and flags" {
	run "$RT" features
	[ "$status" -eq 0 ]
	[ "$(jq -r .linux.seccomp.enabled <<<"$output")" = true ]
	[ "$(jq -r '.linux.seccomp.actions | index("SCMP_ACT_NOTIFY") != null' <<<"$output")" = true ]
	[ "$(jq -r '.linux.seccomp.operators | length' <<<"$output")" = 7 ]
	[ "$(jq -r '.linux.seccomp.supportedFlags | index("SECCOMP_FILTER_FLAG_LOG") != null' <<<"$output")" = true ]
}

@test "without linux.seccomp no filter is loaded" {
	update_config 'del(.linux.seccomp)'
	sh_args 'grep -E "^Seccomp:" /proc/self/status'
	run rt run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^Seccomp:[[:space:]]+0$ ]]
}

@test "compiled filters are cached in --root/@seccomp: the same filter, a damaged entry compiled again" {
	seccomp "$(docker_allow_except mkdir mkdirat)"
	sh_args 'mkdir /tmp/d 2>&1; echo ran'
	local i out
	for i in 1 2 3; do
		run rt --debug run --bundle "$BUNDLE" "$ID"
		echo "$output"
		[ "$status" -eq 0 ]
		[[ "$output" == *"Operation not permitted"* ]]
		[[ "$output" == *ran* ]]
		out[i]=$output
		if [ "$i" = 2 ]; then
			# Damage the entry: the next run compiles it again.
			printf 'x' | dd of="$(echo "$ROOT"/@seccomp/*)" bs=1 seek=100 conv=notrunc 2>/dev/null
		fi
	done
	[[ "${out[1]}" != *"filter comes from"* ]]
	[[ "${out[2]}" == *"the compiled filter comes from $ROOT/@seccomp"* ]]
	[[ "${out[3]}" != *"filter comes from"* ]]
	# One entry, rt's alone, and no container to rt list.
	[ "$(find "$ROOT/@seccomp" -type f | wc -l)" -eq 1 ]
	[ "$(stat -c %a "$ROOT/@seccomp")" = 700 ]
	[ "$(rt list -q)" = "" ]
	# exec takes the container's filter from the cache too.
	update_config '.process.args = ["sleep", "100"]'
	rt run -d --bundle "$BUNDLE" "$ID"
	run rt exec "$ID" mkdir /tmp/e
	[ "$status" -ne 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
	rt delete -f "$ID"
}
