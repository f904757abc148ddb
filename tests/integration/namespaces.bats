#!/usr/bin/env bats
# linux.namespaces: new ones of every type, and joined by path.

load helpers

setup() { setup_bundle; }
teardown() {
	teardown_bundle
	[ -z "${UROOT:-}" ] || rm -rf "$UROOT"
}

@test "new uts, ipc, pid, net, mnt and cgroup namespaces; pid 1; hostname" {
	update_config '.hostname = "ns-test"'
	run_ok 'for n in uts ipc pid net mnt cgroup; do readlink /proc/self/ns/$n; done; echo $$; hostname; cat /proc/self/cgroup'
	local i=0 n
	for n in uts ipc pid net mnt cgroup; do
		[[ "${lines[$i]}" == "$n:["* ]]
		[ "${lines[$i]}" != "$(readlink /proc/self/ns/$n)" ]
		i=$((i + 1))
	done
	[ "${lines[6]}" = 1 ]
	[ "${lines[7]}" = ns-test ]
	# The cgroup namespace's root is the container's cgroup.
	[[ "${lines[8]}" == *":/" ]]
}

@test "a new time namespace with linux.timeOffsets" {
	update_config '.linux.namespaces += [{"type": "time"}] | .linux.timeOffsets = {"boottime": {"secs": 864000}, "monotonic": {"secs": 3600}}'
	run_ok 'readlink /proc/self/ns/time; cut -d. -f1 /proc/uptime'
	[ "${lines[0]}" != "$(readlink /proc/self/ns/time)" ]
	host=$(cut -d. -f1 /proc/uptime)
	[ "${lines[1]}" -ge $((host + 864000)) ]
}

@test "a new user namespace with uid and gid mappings" {
	# The rootfs belongs to the container's root, host id 100000, on a
	# path that id may walk (the test's tmp dirs are 0700).
	UROOT=$(mktemp -d /tmp/rt-uroot.XXXXXX)
	chmod 755 "$UROOT"
	cp -a "$BUNDLE/rootfs" "$UROOT/rootfs"
	chown -R 100000:100000 "$UROOT/rootfs"
	update_config ".root = {\"path\": \"$UROOT/rootfs\", \"readonly\": false} |
		.linux.namespaces += [{\"type\": \"user\"}] |
		.linux.uidMappings = [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}] |
		.linux.gidMappings = [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}]"
	run_ok 'readlink /proc/self/ns/user; cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g; touch /tmp/made'
	[ "${lines[0]}" != "$(readlink /proc/self/ns/user)" ]
	[ "$(echo ${lines[1]})" = "0 100000 65536" ]
	[ "$(echo ${lines[2]})" = "0 100000 65536" ]
	[ "${lines[3]}" = 0 ]
	[ "${lines[4]}" = 0 ]
	# Files the container's root makes are the mapped host id's.
	[ "$(stat -c %u:%g "$UROOT/rootfs/tmp/made")" = 100000:100000 ]
}

@test "ipc and uts namespaces joined by path of another container" {
	update_config '.process.args = ["sleep", "100"] | .hostname = "first" | .domainname = "first.example"'
	rt run -d --bundle "$BUNDLE" "$ID"
	pid=$(state_field "$ID" pid)
	# A SysV message queue made in the first container's ipc namespace.
	nsenter --ipc="/proc/$pid/ns/ipc" ipcmk -Q >/dev/null
	update_config ".hostname = \"\" | .domainname = \"\" |
		.linux.namespaces |= map(if .type == \"uts\" or .type == \"ipc\" then .path = \"/proc/$pid/ns/\" + .type else . end)"
	update_config '.process.args = ["sh", "-c", "readlink /proc/self/ns/uts; readlink /proc/self/ns/ipc; hostname; cat /proc/sys/kernel/domainname; grep -c . /proc/sysvipc/msg"]'
	run rt run --bundle "$BUNDLE" "$ID-2"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(readlink "/proc/$pid/ns/uts")" ]
	[ "${lines[1]}" = "$(readlink "/proc/$pid/ns/ipc")" ]
	[ "${lines[2]}" = first ]
	[ "${lines[3]}" = first.example ]
	[ "${lines[4]}" = 2 ] # the header and the first container's queue
}

@test "a pid namespace joined by path: the other container's processes are seen" {
	update_config '.process.args = ["sleep", "100"]'
	rt run -d --bundle "$BUNDLE" "$ID"
	pid=$(state_field "$ID" pid)
	update_config ".linux.namespaces |= map(if .type == \"pid\" then .path = \"/proc/$pid/ns/pid\" else . end) |
		.process.args = [\"sh\", \"-c\", \"readlink /proc/self/ns/pid; cat /proc/1/comm\"]"
	run rt run --bundle "$BUNDLE" "$ID-2"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(readlink "/proc/$pid/ns/pid")" ]
	[ "${lines[1]}" = sleep ]
}

@test "linux.sysctl: namespaced keys are written inside; a host-wide key is refused" {
	update_config '.linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.msgmax": "4321", "kernel.domainname": "sys.example"}'
	run_ok 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/msgmax /proc/sys/kernel/domainname'
	[ "$output" = $'1\n4321\nsys.example' ]
	[ "$(cat /proc/sys/kernel/msgmax)" != 4321 ]
	update_config '.linux.sysctl = {"vm.swappiness": "1"}'
	run rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.sysctl.vm.swappiness: not a namespaced sysctl"* ]]
	assert_nothing_left
}
