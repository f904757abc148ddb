#!/usr/bin/env bats
# The smaller process-confinement fields: noNewPrivileges, LSM labels (this
# host has no AppArmor or SELinux: they are refused by name), personality,
# ioPriority, scheduler, intelRdt (refused), and which sysctls are allowed.

load helpers
load cgroup_helpers

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

# refused JQ WANT: with config edit JQ, rt run fails with WANT and leaves nothing.
refused() {
	update_config "$1"
	run rt run --bundle "$BUNDLE" "$ID"
	assert_clean_failure "$2"
}

# run_sh SCRIPT: rt run with sh -c SCRIPT.
run_sh() {
	update_config ".process.args = [\"sh\", \"-c\", $(jq -Rn --arg s "$1" '$s')]"
	run rt run --bundle "$BUNDLE" "$ID"
	echo "status=$status"
	echo "$output"
}

@test "process.noNewPrivileges sets NoNewPrivs, and its absence leaves it clear" {
	update_config '.process.noNewPrivileges = true'
	run_sh 'grep NoNewPrivs: /proc/self/status'
	[ "$status" -eq 0 ]
	[[ "$output" =~ NoNewPrivs:[[:space:]]+1 ]]
	update_config '.process.noNewPrivileges = false'
	run_sh 'grep NoNewPrivs: /proc/self/status'
	[ "$status" -eq 0 ]
	[[ "$output" =~ NoNewPrivs:[[:space:]]+0 ]]
}

@test "AppArmor and SELinux labels on a host without those LSMs: an error naming the field, nothing left behind" {
	if [ -e /sys/kernel/security/apparmor ] || [ -e /sys/fs/selinux ]; then
		skip "this host has AppArmor or SELinux: the refusal cannot happen here"
	fi
	refused '.process.apparmorProfile = "docker-default"' \
		'process.apparmorProfile: "docker-default" asked for, but AppArmor is not enabled on this host'
	refused 'del(.process.apparmorProfile) | .process.selinuxLabel = "system_u:system_r:container_t:s0"' \
		'process.selinuxLabel: "system_u:system_r:container_t:s0" asked for, but SELinux is not enabled on this host'
	refused 'del(.process.selinuxLabel) | .linux.mountLabel = "system_u:object_r:container_file_t:s0"' \
		'linux.mountLabel: "system_u:object_r:container_file_t:s0" asked for, but SELinux is not enabled on this host'
}

@test "linux.personality LINUX32 makes uname -m say i686, LINUX keeps x86_64" {
	[ "$(uname -m)" = x86_64 ] || skip "the LINUX32 check is written for an x86_64 host"
	update_config '.linux.personality = {"domain": "LINUX32"}'
	run_sh 'uname -m'
	[ "$status" -eq 0 ]
	[ "$output" = "i686" ]
	update_config '.linux.personality = {"domain": "LINUX"}'
	run_sh 'uname -m'
	[ "$output" = "x86_64" ]
}

@test "bad linux.personality: domain or flags named in the error" {
	refused '.linux.personality = {"domain": "LINUX16"}' \
		'linux.personality.domain: unknown domain "LINUX16"'
	refused '.linux.personality = {"domain": "LINUX", "flags": ["ADDR_NO_RANDOMIZE"]}' \
		'linux.personality.flags'
}

@test "process.ioPriority: ionice inside shows the class and level" {
	update_config '.process.ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 6}'
	run_sh 'ionice -p $$'
	[ "$status" -eq 0 ]
	[[ "$output" == *"best-effort: prio 6"* ]]
	update_config '.process.ioPriority = {"class": "IOPRIO_CLASS_IDLE", "priority": 0}'
	run_sh 'ionice -p $$'
	[[ "$output" == *"idle"* ]]
	update_config '.process.ioPriority = {"class": "IOPRIO_CLASS_RT", "priority": 3}'
	run_sh 'ionice -p $$'
	[[ "$output" == *"realtime: prio 3"* ]]
}

@test "bad process.ioPriority: class or priority named in the error" {
	refused '.process.ioPriority = {"class": "IOPRIO_CLASS_FAST", "priority": 1}' \
		'process.ioPriority.class: unknown class "IOPRIO_CLASS_FAST"'
	refused '.process.ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 8}' \
		'process.ioPriority.priority: 8 is outside 0..7'
}

@test "process.scheduler: the policy and nice value in /proc/self" {
	update_config '.process.scheduler = {"policy": "SCHED_BATCH", "nice": 7}'
	# /proc/self/stat field 19 is nice, 41 is the policy (sh's own process: $$)
	run_sh 'grep -E "^policy" /proc/$$/sched; cut -d" " -f19,41 /proc/$$/stat'
	[ "$status" -eq 0 ]
	[[ "$output" =~ policy[[:space:]]+:[[:space:]]+3 ]]
	[[ "$output" == *$'\n'"7 3"* ]]
	update_config '.process.scheduler = {"policy": "SCHED_IDLE"}'
	run_sh 'cut -d" " -f41 /proc/$$/stat'
	[ "$output" = "5" ]
	update_config '.process.scheduler = {"policy": "SCHED_OTHER", "nice": -3, "flags": ["SCHED_FLAG_RESET_ON_FORK"]}'
	run_sh 'cut -d" " -f19,41 /proc/$$/stat'
	[ "$output" = "-3 0" ]
}

@test "bad process.scheduler: policy, priority, nice and flags named in the error" {
	while IFS='|' read -r json want; do
		refused ".process.scheduler = $json" "$want"
	done <<-'EOF'
	{"policy": "SCHED_FAST"}|process.scheduler.policy: unknown policy "SCHED_FAST"
	{"policy": "SCHED_FIFO", "priority": 0}|process.scheduler.priority: SCHED_FIFO needs a priority in 1..99, not 0
	{"policy": "SCHED_OTHER", "nice": 40}|process.scheduler.nice: 40 is outside -20..19
	{"policy": "SCHED_OTHER", "flags": ["SCHED_FLAG_TURBO"]}|process.scheduler.flags[0]: unknown flag "SCHED_FLAG_TURBO"
	EOF
}

@test "linux.intelRdt is refused by name, nothing left behind" {
	refused '.linux.intelRdt = {"closID": "rt", "l3CacheSchema": "L3:0=f"}' \
		'linux.intelRdt: Intel RDT (resctrl) is not supported by rt'
}

@test "linux.sysctl: a namespaced key is set, a host-wide one is refused by name" {
	update_config '.linux.sysctl = {"kernel.shmmax": "123456789", "net.ipv4.ip_forward": "1"}'
	run_sh 'cat /proc/sys/kernel/shmmax /proc/sys/net/ipv4/ip_forward'
	[ "$status" -eq 0 ]
	[ "$output" = "123456789"$'\n'"1" ]
	refused '.linux.sysctl = {"vm.swappiness": "10"}' \
		'linux.sysctl.vm.swappiness: not a namespaced sysctl: setting it would change the host'
}
