#!/usr/bin/env bats
# linux.resources and linux.cgroupsPath on this host's cgroups, checked on the
# host side (the container's cgroup files) and from inside the container
# (its /sys/fs/cgroup, a cgroup namespace view of its own cgroups).

load helpers
load cgroup_helpers

# The files and values of the hybrid host (this one).
setup() {
	require_layout hybrid
	setup_bundle
}
teardown() { teardown_bundle; }

# in_cg FILE...: the script that prints the files inside the container.
in_cg() {
	local s="" f
	for f in "$@"; do s+="cat /sys/fs/cgroup/$f; "; done
	echo "$s"
}

@test "memory: limit, reservation, swap, swappiness, disableOOMKiller" {
	update_config '.linux.resources.memory = {"limit": 67108864, "reservation": 33554432, "swap": 134217728,
		"swappiness": 30, "disableOOMKiller": true}'
	run_inside "$(in_cg memory/memory.limit_in_bytes memory/memory.soft_limit_in_bytes memory/memory.memsw.limit_in_bytes memory/memory.swappiness) grep oom_kill_disable /sys/fs/cgroup/memory/memory.oom_control"
	local want=$'67108864\n33554432\n134217728\n30\noom_kill_disable 1'
	[ "$inside" = "$want" ]
	[ "$(cg "$ID" memory memory.limit_in_bytes)" = 67108864 ]
	[ "$(cg "$ID" memory memory.soft_limit_in_bytes)" = 33554432 ]
	[ "$(cg "$ID" memory memory.memsw.limit_in_bytes)" = 134217728 ]
	[ "$(cg "$ID" memory memory.swappiness)" = 30 ]
	cg "$ID" memory memory.oom_control | grep -qx 'oom_kill_disable 1'
}

@test "cpu: shares, quota, period, realtime, cpus, mems" {
	update_config '.linux.resources.cpu = {"shares": 512, "quota": 50000, "period": 100000,
		"realtimeRuntime": 10000, "realtimePeriod": 1000000, "cpus": "0", "mems": "0"}'
	run_inside "$(in_cg cpu/cpu.shares cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us cpu/cpu.rt_runtime_us cpu/cpu.rt_period_us cpuset/cpuset.cpus cpuset/cpuset.mems) grep Cpus_allowed_list /proc/self/status"
	local want=$'512\n50000\n100000\n10000\n1000000\n0\n0\nCpus_allowed_list:\t0'
	[ "$inside" = "$want" ]
	[ "$(cg "$ID" cpu cpu.shares)" = 512 ]
	[ "$(cg "$ID" cpu cpu.cfs_quota_us)" = 50000 ]
	[ "$(cg "$ID" cpu cpu.cfs_period_us)" = 100000 ]
	[ "$(cg "$ID" cpu cpu.rt_runtime_us)" = 10000 ]
	[ "$(cg "$ID" cpu cpu.rt_period_us)" = 1000000 ]
	[ "$(cg "$ID" cpuset cpuset.cpus)" = 0 ]
	[ "$(cg "$ID" cpuset cpuset.mems)" = 0 ]
}

@test "pids: limit" {
	update_config '.linux.resources.pids = {"limit": 20}'
	run_inside "$(in_cg pids/pids.max)"
	[ "$inside" = 20 ]
	[ "$(cg "$ID" pids pids.max)" = 20 ]
}

@test "pids: a limit stops a fork bomb" {
	update_config '.linux.resources.pids = {"limit": 16}'
	run_detached 'bomb() { bomb | bomb & }; bomb; sleep 1000'
	# The bomb fills the cgroup up to its limit, and forks then fail (the
	# count of refused forks grows; the number of tasks never passes 16).
	wait_until '[ "$(awk '\''$1 == "max" {print $2}'\'' "$(cgroup_dir "$ID" pids)/pids.events")" -gt 0 ]'
	[ "$(cg "$ID" pids pids.current)" -le 16 ]
	local dirs d
	dirs=$(cgroup_dirs "$ID")
	rt delete -f "$ID"
	for d in $dirs; do [ ! -e "$d" ]; done
}

@test "blkio: per-device throttles on a real block device" {
	local dev
	dev=$(block_dev)
	echo "device $dev"
	local maj=${dev%:*} min=${dev#*:}
	update_config ".linux.resources.blockIO = {
		\"throttleReadBpsDevice\": [{\"major\": $maj, \"minor\": $min, \"rate\": 1048576}],
		\"throttleWriteBpsDevice\": [{\"major\": $maj, \"minor\": $min, \"rate\": 2097152}],
		\"throttleReadIOPSDevice\": [{\"major\": $maj, \"minor\": $min, \"rate\": 300}],
		\"throttleWriteIOPSDevice\": [{\"major\": $maj, \"minor\": $min, \"rate\": 200}]}"
	run_inside "$(in_cg blkio/blkio.throttle.read_bps_device blkio/blkio.throttle.write_bps_device blkio/blkio.throttle.read_iops_device blkio/blkio.throttle.write_iops_device)"
	local want="$dev 1048576"$'\n'"$dev 2097152"$'\n'"$dev 300"$'\n'"$dev 200"
	[ "$inside" = "$want" ]
	[ "$(cg "$ID" blkio blkio.throttle.read_bps_device)" = "$dev 1048576" ]
	[ "$(cg "$ID" blkio blkio.throttle.write_iops_device)" = "$dev 200" ]
}

@test "blkio: weight (BFQ's blkio.bfq.weight on this kernel)" {
	update_config '.linux.resources.blockIO = {"weight": 500}'
	local f=blkio.weight
	[ -e /sys/fs/cgroup/blkio/blkio.weight ] || f=blkio.bfq.weight
	run_inside "$(in_cg blkio/$f)"
	[ "$inside" = 500 ]
	[ "$(cg "$ID" blkio $f)" = 500 ]
}

@test "blkio: a weight for a device whose scheduler has none: clear error, nothing left" {
	local dev
	dev=$(block_dev)
	grep -q '\[bfq\]' "/sys/dev/block/$dev/queue/scheduler" && skip "$dev uses bfq here"
	update_config ".linux.resources.blockIO = {\"weightDevice\": [{\"major\": ${dev%:*}, \"minor\": ${dev#*:}, \"weight\": 300}]}"
	run rt run --bundle "$BUNDLE" "$ID"
	assert_clean_failure "(the I/O scheduler of device $dev has no per-cgroup weights)"
	[[ "$output" == *"linux.resources.blockIO.weightDevice[0].weight: write blkio"* ]]
}

@test "hugetlb: limits in the cgroup2 tree of the hybrid host" {
	grep -qw hugetlb /sys/fs/cgroup/unified/cgroup.controllers
	# Every page size this host has (2MB always here; 1GB only on some machines).
	local limits="" files="" want="" size kb
	for d in /sys/kernel/mm/hugepages/hugepages-*kB; do
		kb=${d##*hugepages-}; kb=${kb%kB}
		if [ "$kb" -ge 1048576 ]; then size=$((kb / 1048576))GB; else size=$((kb / 1024))MB; fi
		limits+="${limits:+,}{\"pageSize\": \"$size\", \"limit\": $((kb * 1024 * 2))}"
		files+=" unified/hugetlb.$size.max"
		want+="${want:+$'\n'}$((kb * 1024 * 2))"
	done
	update_config ".linux.resources.hugepageLimits = [$limits]"
	run_inside "$(in_cg $files unified/hugetlb.2MB.rsvd.max)"
	[ "$inside" = "$want"$'\n'4194304 ]
	[ "$(cg "$ID" unified hugetlb.2MB.max)" = 4194304 ]
	[ "$(cg "$ID" unified hugetlb.2MB.rsvd.max)" = 4194304 ]
}

@test "hugetlb: a page size the host lacks: clear error, nothing left" {
	update_config '.linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 4194304}, {"pageSize": "4MB", "limit": 4194304}]'
	run rt run --bundle "$BUNDLE" "$ID"
	assert_clean_failure "linux.resources.hugepageLimits[1].pageSize: this host has no 4MB hugepages"
}

@test "unified: keys of the hybrid host's cgroup2 tree (hugetlb only)" {
	update_config '.linux.resources.unified = {"hugetlb.2MB.max": "6291456"}'
	run_inside "$(in_cg unified/hugetlb.2MB.max)"
	[ "$inside" = 6291456 ]
	[ "$(cg "$ID" unified hugetlb.2MB.max)" = 6291456 ]
}

@test "unified: a controller not in the cgroup2 tree: clear error, nothing left" {
	update_config '.linux.resources.unified = {"memory.max": "1000000"}'
	run rt run --bundle "$BUNDLE" "$ID"
	assert_clean_failure 'linux.resources.unified["memory.max"]: the memory controller is not available in the cgroup2 tree of this hybrid host'
}

@test "network: net_cls and net_prio are not mounted here: clear error, nothing left" {
	! grep -qw net_cls <(awk '$3 == "cgroup" {print $4}' /proc/self/mounts)
	update_config '.linux.resources.network = {"classID": 1048577}'
	run rt run --bundle "$BUNDLE" "$ID"
	assert_clean_failure "linux.resources.network.classID: the net_cls controller is not available on this hybrid host"

	update_config '.linux.resources.network = {"priorities": [{"name": "eth0", "priority": 5}]}'
	run rt run --bundle "$BUNDLE" "$ID"
	assert_clean_failure "linux.resources.network.priorities: the net_prio controller is not available on this hybrid host"
}

@test "rdma: no rdma controller here: clear error, nothing left" {
	! grep -qw rdma /proc/cgroups
	update_config '.linux.resources.rdma = {"mlx5_0": {"hcaHandles": 3, "hcaObjects": 100}}'
	run rt run --bundle "$BUNDLE" "$ID"
	assert_clean_failure "linux.resources.rdma: the rdma controller is not available on this hybrid host"
}

@test "devices: the default rules allow /dev/full, deny a device not in the list" {
	# CAP_MKNOD, so that only the device cgroup can refuse the device.
	update_config '.process.capabilities |= with_entries(.value += ["CAP_MKNOD"])'
	run_inside 'head -c1 /dev/full | od -An -tx1; mknod /dev/dev42 c 42 0 && echo made; head -c1 /dev/dev42 2>&1; echo rc=$?'
	[[ "$inside" == *" 00"* ]]
	[[ "$inside" == *made* ]]
	[[ "$inside" == *"Operation not permitted"* ]]
	[[ "$inside" == *"rc=1"* ]]
	cg "$ID" devices devices.list | grep -qx 'c 1:7 rwm'
	! cg "$ID" devices devices.list | grep -q '^a '
}

@test "devices: an allow rule lets the container open the device" {
	update_config '.process.capabilities |= with_entries(.value += ["CAP_MKNOD"])
		| .linux.resources.devices += [{"allow": true, "type": "c", "major": 42, "minor": 0, "access": "rw"}]'
	run_inside 'mknod /dev/dev42 c 42 0; head -c1 /dev/dev42 2>&1; echo rc=$?'
	# Allowed by the cgroup: the open reaches the kernel, which has no driver for 42:0.
	[[ "$inside" == *"No such device or address"* ]]
	cg "$ID" devices devices.list | grep -qx 'c 42:0 rw'
}

@test "devices: unknown type: clear error with the JSON path, nothing left" {
	update_config '.linux.resources.devices += [{"allow": true, "type": "x", "major": 1, "minor": 3, "access": "rwm"}]'
	run rt run --bundle "$BUNDLE" "$ID"
	assert_clean_failure "linux.resources.devices[1].type"
}

@test "invalid values: clear error with the JSON path, nothing left" {
	update_config '.linux.resources.memory = {"limit": -5}'
	run rt run --bundle "$BUNDLE" "$ID"
	assert_clean_failure "linux.resources.memory.limit"

	update_config '.linux.resources.memory = {} | .linux.resources.cpu = {"shares": 1}'
	run rt run --bundle "$BUNDLE" "$ID"
	assert_clean_failure "linux.resources.cpu.shares"

	update_config '.linux.resources.cpu = {"cpus": "0-"}'
	run rt run --bundle "$BUNDLE" "$ID"
	assert_clean_failure "linux.resources.cpu.cpus"

	update_config '.linux.resources.cpu = {"cpus": "4095"}'
	run rt run --bundle "$BUNDLE" "$ID"
	assert_clean_failure "linux.resources.cpu.cpus: write cpuset.cpus"

	update_config '.linux.resources.cpu = {} | .linux.resources.memory = {"limit": 67108864, "swap": 1048576}'
	run rt run --bundle "$BUNDLE" "$ID"
	assert_clean_failure "linux.resources.memory.swap"
}

@test "cgroupsPath: default is the container id, under rt's own cgroup; removed on delete" {
	run_inside 'cat /proc/self/cgroup'
	local own d
	for c in memory cpu pids freezer devices; do
		own=$(awk -F: -v c="$c" '$2 == c {print $3}' /proc/self/cgroup)
		d=$(cgroup_dir "$ID" "$c")
		[ "$d" = "$(realpath -m "/sys/fs/cgroup/$c/$own/$ID")" ]
		[ -d "$d" ]
	done
	# Inside, a cgroup namespace rooted at the container's cgroups.
	[[ "$inside" == *"memory:/"$'\n'* ]]
	local dirs
	dirs=$(cgroup_dirs "$ID")
	rt delete "$ID"
	for d in $dirs; do [ ! -e "$d" ]; done
}

@test "cgroupsPath: relative, with the parent made and removed by rt" {
	update_config ".linux.cgroupsPath = \"rt-rel-$ID/inner\""
	run_inside 'cat /sys/fs/cgroup/pids/pids.max'
	local own d
	own=$(awk -F: '$2 == "pids" {print $3}' /proc/self/cgroup)
	d=$(cgroup_dir "$ID" pids)
	[ "$d" = "$(realpath -m "/sys/fs/cgroup/pids/$own/rt-rel-$ID/inner")" ]
	[ -d "$d" ]
	[ "$(jq -r '.cgroup.paths.unified' "$ROOT/$ID/state.json")" = "/sys/fs/cgroup/unified/rt-rel-$ID/inner" ]
	rt delete "$ID"
	[ ! -e "$d" ]
	no_cgroup_named "rt-rel-$ID"
}

@test "cgroupsPath: absolute, with limits, removed on delete" {
	update_config ".linux.cgroupsPath = \"/rt-abs-$ID/inner\" | .linux.resources.memory = {\"limit\": 33554432}"
	run_inside "$(in_cg memory/memory.limit_in_bytes)"
	[ "$inside" = 33554432 ]
	local c
	for c in memory cpu cpuacct cpuset pids freezer devices blkio unified; do
		[ "$(cgroup_dir "$ID" "$c")" = "/sys/fs/cgroup/$c/rt-abs-$ID/inner" ]
		[ -d "/sys/fs/cgroup/$c/rt-abs-$ID/inner" ]
	done
	[ "$(cat "/sys/fs/cgroup/memory/rt-abs-$ID/inner/memory.limit_in_bytes")" = 33554432 ]
	rt delete "$ID"
	no_cgroup_named "rt-abs-$ID"
}

@test "cgroupsPath: escaping the root or the systemd form: clear error, nothing left" {
	update_config '.linux.cgroupsPath = "../../etc"'
	run rt run --bundle "$BUNDLE" "$ID"
	assert_clean_failure 'linux.cgroupsPath: "../../etc" escapes its cgroup root'

	update_config '.linux.cgroupsPath = "system.slice:rt:abc"'
	run rt run --bundle "$BUNDLE" "$ID"
	assert_clean_failure "linux.cgroupsPath"
}

@test "--systemd-cgroup is refused clearly" {
	run rt --systemd-cgroup run --bundle "$BUNDLE" "$ID"
	assert_clean_failure "--systemd-cgroup: the systemd cgroup driver is not supported"
}
