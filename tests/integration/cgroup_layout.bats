#!/usr/bin/env bats
# Every resource rt supports, on whatever cgroup layout this host has (v1,
# hybrid or v2): the same tests, with the files and values of the layout.
# This host is hybrid; tests/vm/run.sh runs this file in qemu guests on pure
# v2 and pure v1. Few tests doing much each: under emulation every process
# costs (see tests/vm/run.sh).

load helpers
load cgroup_helpers

setup() { setup_bundle; }
teardown() {
	[ -n "${EVENTS_PID:-}" ] && kill "$EVENTS_PID" 2>/dev/null
	teardown_bundle
}

# bfq_loaded: the BFQ scheduler is there, and with it its weight files
# (which rt then prefers, as they take the v1 weights as they are).
bfq_loaded() { [ -d /sys/module/bfq ]; }

@test "layout: memory, cpu, cpuset, pids, io, hugetlb, unified: host side and inside" {
	local layout dev maj min
	layout=$(cg_layout)
	dev=$(block_dev)
	maj=${dev%:*} min=${dev#*:}
	echo "layout $layout, block device $dev"
	update_config ".linux.resources = {
		\"memory\": {\"limit\": 67108864, \"reservation\": 33554432, \"swap\": 134217728},
		\"cpu\": {\"shares\": 512, \"quota\": 50000, \"period\": 100000, \"burst\": 10000, \"cpus\": \"0\", \"mems\": \"0\"},
		\"pids\": {\"limit\": 20},
		\"blockIO\": {\"weight\": 500,
			\"throttleReadBpsDevice\": [{\"major\": $maj, \"minor\": $min, \"rate\": 1048576}],
			\"throttleWriteBpsDevice\": [{\"major\": $maj, \"minor\": $min, \"rate\": 2097152}],
			\"throttleReadIOPSDevice\": [{\"major\": $maj, \"minor\": $min, \"rate\": 300}],
			\"throttleWriteIOPSDevice\": [{\"major\": $maj, \"minor\": $min, \"rate\": 200}]},
		\"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 4194304}]}"
	case $layout in
	v2)
		update_config '.linux.resources.unified = {"memory.high": "104857600"}'
		cg_expect memory memory.max 67108864
		cg_expect memory memory.low 33554432
		cg_expect memory memory.swap.max 67108864 # memory+swap minus memory
		cg_expect memory memory.high 104857600
		cg_expect cpu cpu.weight 20 # shares 512 on the 1..10000 scale
		cg_expect cpu cpu.max "50000 100000"
		cg_expect cpu cpu.max.burst 10000
		cg_expect cpuset cpuset.cpus 0
		cg_expect cpuset cpuset.mems 0
		cg_expect pids pids.max 20
		cg_expect io io.max "$dev rbps=1048576 wbps=2097152 riops=300 wiops=200"
		if bfq_loaded; then
			cg_expect io io.bfq.weight "default 500"
		else
			cg_expect io io.weight "default 4950"
		fi
		cg_expect hugetlb hugetlb.2MB.max 4194304
		cg_expect hugetlb hugetlb.2MB.rsvd.max 4194304
		;;
	*)
		cg_expect memory memory.limit_in_bytes 67108864
		cg_expect memory memory.soft_limit_in_bytes 33554432
		cg_expect memory memory.memsw.limit_in_bytes 134217728
		cg_expect cpu cpu.shares 512
		cg_expect cpu cpu.cfs_quota_us 50000
		cg_expect cpu cpu.cfs_period_us 100000
		cg_expect cpu cpu.cfs_burst_us 10000
		cg_expect cpuset cpuset.cpus 0
		cg_expect cpuset cpuset.mems 0
		cg_expect pids pids.max 20
		cg_expect blkio blkio.throttle.read_bps_device "$dev 1048576"
		cg_expect blkio blkio.throttle.write_bps_device "$dev 2097152"
		cg_expect blkio blkio.throttle.read_iops_device "$dev 300"
		cg_expect blkio blkio.throttle.write_iops_device "$dev 200"
		if [ -e /sys/fs/cgroup/blkio/blkio.weight ]; then
			cg_expect blkio blkio.weight 500
		else
			cg_expect blkio blkio.bfq.weight 500
		fi
		if [ "$layout" = hybrid ]; then
			cg_expect hugetlb hugetlb.2MB.max 4194304
			cg_expect hugetlb hugetlb.2MB.rsvd.max 4194304
		else
			cg_expect hugetlb hugetlb.2MB.limit_in_bytes 4194304
			cg_expect hugetlb hugetlb.2MB.rsvd.limit_in_bytes 4194304
		fi
		;;
	esac
	run_inside "$(in_cg_expected) grep Cpus_allowed_list /proc/self/status"
	[[ "$inside" == *$'\nCpus_allowed_list:\t0' ]]
	inside=${inside%$'\n'Cpus_allowed_list*}
	cg_check_expected
}

@test "layout: the default device rules allow /dev/full, an added rule 42:0, nothing else" {
	# CAP_MKNOD, so that only the device controller (v1 devices.*, v2
	# the eBPF program) can refuse a device.
	update_config '.process.capabilities |= with_entries(.value += ["CAP_MKNOD"])
		| .linux.resources.devices += [{"allow": true, "type": "c", "major": 42, "minor": 0, "access": "rw"}]'
	run_inside 'head -c1 /dev/full | od -An -tx1; mknod /dev/d42 c 42 0 && mknod /dev/d43 c 43 0 && mknod /dev/m c 1 1 && echo made
		head -c1 /dev/d42 2>&1; head -c1 /dev/d43 2>&1; head -c1 /dev/m 2>&1; echo end'
	[[ "$inside" == " 00"$'\n'made$'\n'* ]]
	# One line per open. Allowed: the open reaches the kernel, which has
	# no driver for 42:0 (43:0 neither: EPERM can only be the cgroup's).
	grep -q "/dev/d42.*No such device or address" <<<"$inside"
	grep -q "/dev/d43.*Operation not permitted" <<<"$inside"
	grep -q "/dev/m.*Operation not permitted" <<<"$inside"
	[ "$(grep -c /dev/ <<<"$inside")" -eq 3 ]
	[[ "$inside" == *end ]]
}

@test "layout: pause freezes exactly, resume thaws, kill of a paused container" {
	run_detached 'while :; do :; done'
	wait_status "$ID" running
	local u0 a b
	u0=$(cpu_usage "$ID")
	wait_until '[ "$(cpu_usage "$ID")" -gt "$u0" ]'
	rt pause "$ID"
	[ "$(rt state "$ID" | jq -r .status)" = paused ]
	[ "$(freezer_state "$ID")" = FROZEN ]
	a=$(cpu_usage "$ID")
	sleep 1
	b=$(cpu_usage "$ID")
	echo "cpu usage while frozen: $a then $b"
	[ "$a" -eq "$b" ]
	rt resume "$ID"
	[ "$(rt state "$ID" | jq -r .status)" = running ]
	[ "$(freezer_state "$ID")" = THAWED ]
	wait_until '[ "$(cpu_usage "$ID")" -gt "$b" ]'

	rt pause "$ID"
	rt kill "$ID" KILL
	wait_status "$ID" stopped
	wait_until '[ "$(freezer_state "$ID")" = THAWED ]'
	local dirs d
	dirs=$(cgroup_dirs "$ID")
	rt delete "$ID"
	for d in $dirs; do [ ! -e "$d" ]; done

	# kill --all of a paused container with three processes (rt ps reads
	# cgroup.procs).
	run_detached 'sleep 1000 & sleep 1000 & while :; do :; done'
	wait_until '[ "$(rt ps -f json "$ID" | jq length)" -eq 3 ]'
	rt pause "$ID"
	rt kill --all "$ID" KILL
	wait_status "$ID" stopped
	wait_until '[ -z "$(cg "$ID" pids cgroup.procs)" ]'
}

@test "layout: rt update flags and -r on a running container; events --stats reads them" {
	update_config '.linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 50}'
	run_detached 'sleep 1000'
	wait_status "$ID" running
	rt update --memory 100m --memory-reservation 50M --memory-swap 1g --cpu-share 300 \
		--cpu-period 50000 --cpu-quota 20000 --cpuset-cpus 0 --cpuset-mems 0 --pids-limit 30 --blkio-weight 200 "$ID"
	if [ "$(cg_layout)" = v2 ]; then
		cg_expect memory memory.max $((100 << 20))
		cg_expect memory memory.low $((50 << 20))
		cg_expect memory memory.swap.max $(((1 << 30) - (100 << 20)))
		cg_expect cpu cpu.weight 12
		cg_expect cpu cpu.max "20000 50000"
		cg_expect cpuset cpuset.cpus 0
		cg_expect pids pids.max 30
		if bfq_loaded; then
			cg_expect io io.bfq.weight "default 200"
		else
			cg_expect io io.weight "default 1920"
		fi
	else
		cg_expect memory memory.limit_in_bytes $((100 << 20))
		cg_expect memory memory.soft_limit_in_bytes $((50 << 20))
		cg_expect memory memory.memsw.limit_in_bytes $((1 << 30))
		cg_expect cpu cpu.shares 300
		cg_expect cpu cpu.cfs_period_us 50000
		cg_expect cpu cpu.cfs_quota_us 20000
		cg_expect cpuset cpuset.cpus 0
		cg_expect pids pids.max 30
	fi
	local i
	for i in "${!cg_exp_file[@]}"; do
		[ "$(cg "$ID" "${cg_exp_ctrl[$i]}" "${cg_exp_file[$i]}")" = "${cg_exp_want[$i]}" ] ||
			{ echo "${cg_exp_file[$i]}: $(cg "$ID" "${cg_exp_ctrl[$i]}" "${cg_exp_file[$i]}"), want ${cg_exp_want[$i]}"; false; }
	done
	# Idle (which makes the kernel show the idle weight) and burst, by -r.
	echo '{"cpu": {"idle": 1, "burst": 5000}}' | rt update -r - "$ID"
	[ "$(cg "$ID" cpu cpu.idle)" = 1 ]
	if [ "$(cg_layout)" = v2 ]; then
		[ "$(cg "$ID" cpu cpu.max.burst)" = 5000 ]
	else
		[ "$(cg "$ID" cpu cpu.cfs_burst_us)" = 5000 ]
	fi
	local ev
	ev=$(rt events --stats "$ID")
	echo "$ev"
	[ "$(jq .data.memory.usage.limit <<<"$ev")" = $((100 << 20)) ]
	[ "$(jq -c .data.pids <<<"$ev")" = '{"current":1,"limit":30}' ]
	[ "$(jq '.data.memory.usage.usage' <<<"$ev")" -gt 0 ]
	[ "$(jq '.data.cpu.usage.total' <<<"$ev")" -gt 0 ]
	[ "$(jq -c '.data | keys' <<<"$ev")" = '["blkio","cpu","cpuset","hugetlb","intel_rdt","memory","network_interfaces","pids"]' ]
	[ "$(jq -c '.data.cpuset.cpus' <<<"$ev")" = "[0]" ] # --cpuset-cpus 0

	# -1 lifts the limits; memory+swap follows an unlimited memory.
	rt update --memory -1 --pids-limit -1 --cpu-quota -1 "$ID"
	if [ "$(cg_layout)" = v2 ]; then
		[ "$(cg "$ID" memory memory.max)" = max ]
		[ "$(cg "$ID" memory memory.swap.max)" = max ]
		[ "$(cg "$ID" cpu cpu.max)" = "max 50000" ]
	else
		[ "$(cg "$ID" memory memory.limit_in_bytes)" -ge $((1 << 62)) ]
		[ "$(cg "$ID" cpu cpu.cfs_quota_us)" = -1 ]
	fi
	[ "$(cg "$ID" pids pids.max)" = max ]
	[ "$(rt state "$ID" | jq -r .status)" = running ]
}

@test "layout: the OOM killer firing is an oom event; the container lives on" {
	update_config '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
	run_detached 'while [ ! -e /tmp/go ]; do sleep 0.1; done; tail /dev/zero; sleep 1000'
	wait_status "$ID" running
	rt events --interval 1s "$ID" >"$BUNDLE/events" 2>"$BUNDLE/events.err" &
	EVENTS_PID=$!
	wait_until 'grep -q "\"type\":\"stats\"" "$BUNDLE/events"'
	touch "$BUNDLE/rootfs/tmp/go"
	wait_until 'grep -q "\"type\":\"oom\"" "$BUNDLE/events"'
	grep -x "{\"type\":\"oom\",\"id\":\"$ID\"}" "$BUNDLE/events"
	[ "$(oom_kills "$ID")" -ge 1 ]
	[ "$(rt state "$ID" | jq -r .status)" = running ]
	rt kill "$ID" KILL
	wait "$EVENTS_PID"
	EVENTS_PID=
	[ "$(grep -c '"type":"oom"' "$BUNDLE/events")" -eq "$(oom_kills "$ID")" ]
	[ ! -s "$BUNDLE/events.err" ]
}

@test "layout: init and an exec'd process are in every cgroup of the container from the start" {
	set_script 'sleep 1000'
	rt create --bundle "$BUNDLE" "$ID" </dev/null
	local pid d
	pid=$(rt state "$ID" | jq .pid)
	for d in $(cgroup_dirs "$ID"); do
		grep -qx "$pid" "$d/cgroup.procs"
	done
	rt start "$ID"
	run rt exec "$ID" cat /proc/self/cgroup
	echo "$output"
	[ "$status" -eq 0 ]
	# In the container's cgroup namespace, a process in its cgroups is at
	# the root of each: one left outside would show a path up ("/..").
	[ -n "$output" ]
	[ -z "$(grep -v ':/$' <<<"$output")" ]
	rt delete -f "$ID"
}

@test "layout: cgroupsPath absolute and relative: the directories of the layout, removed on delete" {
	local layout k p
	layout=$(cg_layout)
	update_config ".linux.cgroupsPath = \"/rt-abs-$ID/inner\""
	run_inside 'cat /proc/self/cgroup; grep -E " - cgroup2? " /proc/self/mountinfo | cut -d" " -f4,5 | sed "s/^/mount /"'
	# Inside, a cgroup namespace rooted at the container's cgroups.
	if [ "$layout" = v2 ]; then [[ "$inside" == "0::/"$'\n'* ]]; else [[ "$inside" == *"memory:/"* ]]; fi
	# Its cgroupfs: one mount per hierarchy, each rooted at the container's
	# cgroup, which mountinfo shows as / in the namespace (bound or fresh).
	local mounts dirs
	mounts=$(grep '^mount ' <<<"$inside")
	dirs=$(jq -r '.cgroup.paths[]' "$ROOT/$ID/state.json" | xargs -n1 realpath -m | sort -u | wc -l)
	[ "$(wc -l <<<"$mounts")" -eq "$dirs" ]
	[ -z "$(grep -v '^mount / /sys/fs/cgroup' <<<"$mounts")" ]
	for k in $(jq -r '.cgroup.paths | keys[]' "$ROOT/$ID/state.json"); do
		p=$(cgroup_dir "$ID" "$k")
		case $layout/$k in
		v2/unified) [ "$p" = "/sys/fs/cgroup/rt-abs-$ID/inner" ] ;;
		v2/*) false ;; # no other key on v2
		hybrid/unified) [ "$p" = "/sys/fs/cgroup/unified/rt-abs-$ID/inner" ] ;;
		*) [ "$(realpath -m "$p")" = "$(realpath -m "/sys/fs/cgroup/$k/rt-abs-$ID/inner")" ] ;; # cpu -> cpu,cpuacct
		esac
		[ -d "$p" ]
	done
	rt delete "$ID"
	no_cgroup_named "rt-abs-$ID"

	# Relative: in the cgroup2 tree, next to the caller's own cgroup (its
	# parent is where controllers can be delegated).
	update_config ".linux.cgroupsPath = \"rt-rel-$ID/inner\""
	run_inside 'true'
	if [ "$layout" != v1 ]; then
		local own mnt=/sys/fs/cgroup
		[ "$layout" = hybrid ] && mnt=/sys/fs/cgroup/unified
		own=$(awk -F: '$1 == 0 {print $3}' /proc/self/cgroup)
		[ "$(cgroup_dir "$ID" unified)" = "$(realpath -m "$mnt/$(dirname "$own")/rt-rel-$ID/inner")" ]
	fi
	rt delete "$ID"
	no_cgroup_named "rt-rel-$ID"
}

@test "layout: what the layout lacks is a clear error naming the field, nothing left" {
	case $(cg_layout) in
	v2)
		update_config '.linux.resources.cpu = {"realtimeRuntime": 10000}'
		run rt run --bundle "$BUNDLE" "$ID"
		assert_clean_failure "linux.resources.cpu.realtimeRuntime: cgroup v2 has no realtime budget"
		update_config '.linux.resources = {"network": {"classID": 1048577}}'
		run rt run --bundle "$BUNDLE" "$ID"
		assert_clean_failure "linux.resources.network.classID: the net_cls controller is not available on this v2 host"
		update_config '.linux.resources = {"unified": {"nosuch.max": "1"}}'
		run rt run --bundle "$BUNDLE" "$ID"
		assert_clean_failure 'linux.resources.unified["nosuch.max"]: the nosuch controller is not available in the cgroup2 tree of this v2 host'
		;;
	hybrid)
		update_config '.linux.resources.unified = {"memory.max": "1000000"}'
		run rt run --bundle "$BUNDLE" "$ID"
		assert_clean_failure 'linux.resources.unified["memory.max"]: the memory controller is not available in the cgroup2 tree of this hybrid host'
		;;
	v1)
		update_config '.linux.resources.unified = {"memory.max": "1000000"}'
		run rt run --bundle "$BUNDLE" "$ID"
		assert_clean_failure 'linux.resources.unified: cgroup v2 settings cannot be applied on this v1 host, which has no cgroup2 tree'
		;;
	esac
	update_config '.linux.resources = {"memory": {"limit": 67108864, "swap": 1048576}}'
	run rt run --bundle "$BUNDLE" "$ID"
	assert_clean_failure "linux.resources.memory.swap"
}
