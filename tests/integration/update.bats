#!/usr/bin/env bats
# rt update: runc's flags and -r resources.json on a running container.

load helpers
load cgroup_helpers

# The files and values of the hybrid host (this one).
setup() {
	require_layout hybrid
	setup_bundle
	update_config '.linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 50}'
	run_detached 'sleep 1000'
	wait_status "$ID" running
}
teardown() { teardown_bundle; }

@test "update: runc's flags, with units for memory" {
	rt update --memory 100m --memory-reservation 50M --memory-swap 1g --cpu-share 300 \
		--cpu-period 50000 --cpu-quota 20000 --cpu-rt-period 1000000 --cpu-rt-runtime 5000 \
		--cpuset-cpus 0 --cpuset-mems 0 --pids-limit 30 --blkio-weight 200 "$ID"
	[ "$(cg "$ID" memory memory.limit_in_bytes)" = $((100 << 20)) ]
	[ "$(cg "$ID" memory memory.soft_limit_in_bytes)" = $((50 << 20)) ]
	[ "$(cg "$ID" memory memory.memsw.limit_in_bytes)" = $((1 << 30)) ]
	[ "$(cg "$ID" cpu cpu.shares)" = 300 ]
	[ "$(cg "$ID" cpu cpu.cfs_period_us)" = 50000 ]
	[ "$(cg "$ID" cpu cpu.cfs_quota_us)" = 20000 ]
	[ "$(cg "$ID" cpu cpu.rt_period_us)" = 1000000 ]
	[ "$(cg "$ID" cpu cpu.rt_runtime_us)" = 5000 ]
	[ "$(cg "$ID" cpuset cpuset.cpus)" = 0 ]
	[ "$(cg "$ID" pids pids.max)" = 30 ]
	local f=blkio.weight
	[ -e "$(cgroup_dir "$ID" blkio)/blkio.weight" ] || f=blkio.bfq.weight
	[ "$(cg "$ID" blkio $f)" = 200 ]
	# The container keeps running and rt still reads its state.
	[ "$(rt state "$ID" | jq -r .status)" = running ]
	[ "$(rt events --stats "$ID" | jq .data.memory.usage.limit)" = $((100 << 20)) ]
	[ "$(rt events --stats "$ID" | jq .data.pids.limit)" = 30 ]

	# -1 lifts the limits; memory+swap follows an unlimited memory, as in runc.
	rt update --memory -1 --pids-limit -1 --cpu-quota -1 "$ID"
	[ "$(cg "$ID" memory memory.limit_in_bytes)" -ge $((1 << 62)) ]
	[ "$(cg "$ID" memory memory.memsw.limit_in_bytes)" -ge $((1 << 62)) ]
	[ "$(cg "$ID" pids pids.max)" = max ]
	[ "$(cg "$ID" cpu cpu.cfs_quota_us)" = -1 ]
	# --pids-limit 0 changes nothing (runc).
	rt update --pids-limit 7 "$ID"
	rt update --pids-limit 0 "$ID"
	[ "$(cg "$ID" pids pids.max)" = 7 ]
}

@test "update -r FILE and -r - (stdin) with a LinuxResources object" {
	cat >"$BUNDLE/res.json" <<-JSON
		{"memory": {"limit": 41943040, "swappiness": 20}, "cpu": {"shares": 700}, "pids": {"limit": 9},
		 "hugepageLimits": [{"pageSize": "2MB", "limit": 2097152}],
		 "devices": [{"allow": false, "access": "rwm"}]}
	JSON
	rt update -r "$BUNDLE/res.json" "$ID"
	[ "$(cg "$ID" memory memory.limit_in_bytes)" = 41943040 ]
	[ "$(cg "$ID" memory memory.swappiness)" = 20 ]
	[ "$(cg "$ID" cpu cpu.shares)" = 700 ]
	[ "$(cg "$ID" pids pids.max)" = 9 ]
	[ "$(cg "$ID" unified hugetlb.2MB.max)" = 2097152 ]
	# The device rules are left alone (as runc's update does).
	cg "$ID" devices devices.list | grep -qx 'c 1:3 rwm'

	echo '{"memory": {"limit": 52428800}}' | rt update -r - "$ID"
	[ "$(cg "$ID" memory memory.limit_in_bytes)" = 52428800 ]
	[ "$(cg "$ID" pids pids.max)" = 9 ]
	[ "$(rt state "$ID" | jq -r .status)" = running ]
}

@test "update: bad values name the flag or the field; nothing changes" {
	run rt update --memory 1x "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *'--memory: invalid value "1x"'* ]]
	run rt update --cpu-share 1 "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"--cpu-share: invalid value 1: must be 2 to 262144"* ]]
	run rt update --cpu-period -5 "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *'--cpu-period: invalid value "-5"'* ]]
	run rt update --memory 10m --memory-swap 5m "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"--memory-swap: memory+swap limit"* ]]
	run rt update --cpuset-cpus 4095 "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"--cpuset-cpus: write cpuset.cpus"* ]]
	run rt update --blkio-weight 5000 "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"--blkio-weight: invalid value 5000: must be 10 to 1000"* ]]
	# Below what the container uses: the kernel refuses, rt says so.
	run rt update --memory 4k --memory-swap -1 "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"--memory: cannot set the memory limit to 4096"* ]]
	[ "$(cg "$ID" memory memory.limit_in_bytes)" = 67108864 ]

	echo '{"memory": {"limit": "lots"}}' >"$BUNDLE/bad.json"
	run rt update -r "$BUNDLE/bad.json" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"-r $BUNDLE/bad.json: memory.limit: cannot take a JSON string"* ]]
	echo '{"network": {"classID": 1}}' | { run rt update -r - "$ID"; echo "$output" >"$BUNDLE/o"; }
	[[ "$(cat "$BUNDLE/o")" == *"-r -: network.classID: the net_cls controller is not available"* ]]
	run rt update -r "$BUNDLE/missing.json" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"-r: open $BUNDLE/missing.json"* ]]
	run rt update -r "$BUNDLE/bad.json" --memory 1m "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"--memory: cannot be combined with -r"* ]]
	[ "$(cg "$ID" memory memory.limit_in_bytes)" = 67108864 ]
	[ "$(rt state "$ID" | jq -r .status)" = running ]
}

@test "update: kernel memory and Intel RDT are refused clearly" {
	run rt update --kernel-memory 10m "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"--kernel-memory: kernel memory limits are not supported"* ]]
	run rt update --kernel-memory-tcp 10m "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"--kernel-memory-tcp: "* ]]
	run rt update --l3-cache-schema "L3:0=f" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"--l3-cache-schema: Intel RDT is not supported"* ]]
	run rt update --mem-bw-schema "MB:0=70" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"--mem-bw-schema: Intel RDT is not supported"* ]]
}

@test "update: a paused container can be updated; a stopped one cannot" {
	rt pause "$ID"
	rt update --pids-limit 11 "$ID"
	[ "$(cg "$ID" pids pids.max)" = 11 ]
	[ "$(rt state "$ID" | jq -r .status)" = paused ]
	rt resume "$ID"
	rt kill "$ID" KILL
	wait_status "$ID" stopped
	run rt update --pids-limit 12 "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"cannot update container $ID: it is stopped"* ]]
	run rt update --pids-limit 12 "$ID-missing"
	[ "$status" -ne 0 ]
	[[ "$output" == *"container does not exist"* ]]
}
