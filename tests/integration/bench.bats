#!/usr/bin/env bats
# The benchmark must keep working: a quick run (N=3) produces every section
# of its JSON with real numbers. It asserts no speed: that is the
# benchmark's own report, not a test.

load helpers

setup() {
	OUT=$(mktemp "$BATS_RUN_TMPDIR/bench.XXXXXX.json")
}

teardown() {
	rm -f "$OUT"
}

@test "make bench runs and reports every section" {
	run env BENCH_QUICK=1 BENCH_OUT="$OUT" "$BATS_TEST_DIRNAME/../../bench/bench.sh"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"ratios: rt/floor"* ]]
	for k in '.run["floor/run"].cpu_ms' '.run["gofloor/run"].cpu_ms' '.ratios.rt_gofloor_cpu' '.run["rt/run"].wall_ms' '.run["runc/run"].cpu_ms' \
		'.split["rt/create"].wall_ms' '.split["rt/start"].wall_ms' '.split["rt/delete"].wall_ms' \
		'.split["runc/create"].wall_ms' '.exec["runc/exec"].wall_ms' '.exec["rt/exec"].wall_ms' \
		'.ratios.exec_rt_runc_wall' \
		'.memory.created_kb.rt.rss' '.memory.created_kb.runc.rss' '.memory.run_peak_rss_kb.rt' '.memory.run_peak_rss_kb.floor' \
		'.scale.create_first_ms' '.scale.create_last_ms' '.scale.create_after_ms' '.scale.list_ms' '.scale.state_ms' \
		'.limits.min_memory_kb.rt' '.limits.min_memory_kb.runc' '.ratios.rt_floor_cpu' \
		'.seccomp["rt-seccomp/run"].cpu_ms' '.seccomp["runc-seccomp/run"].cpu_ms' '.ratios.seccomp_rt_runc_cpu' \
		'.after_idle.run_wall_ms.rt' '.after_idle.run_wall_ms.runc' '.after_idle.exec_wall_ms.rt' '.after_idle.exec_wall_ms.runc' \
		'.scale.runc.create_first_cpu_ms' '.scale.runc.create_last_cpu_ms'; do
		v=$(jq "$k" "$OUT")
		echo "$k = $v"
		jq -e "$k > 0" "$OUT" >/dev/null
	done
	[ "$(jq -r '.limits.pids_limit_1.rt' "$OUT")" = yes ]
	# The runs with a cpuset cgroup kept: there, or left out on a host that has one.
	jq -e '(.run["rt-keyed/run"] == null and .ratios.keyed_rt_floor_cpu == null) or
		(.run["rt-keyed/run"].cpu_ms > 0 and .run["runc-keyed/run"].cpu_ms > 0 and .ratios.keyed_rt_floor_cpu > 0)' "$OUT" >/dev/null
	# Nothing left behind: no benchmark containers, dirs or cgroups.
	[ -z "$(ls -d /tmp/rt-bench.* 2>/dev/null)" ]
	[ -z "$(find /sys/fs/cgroup/memory -maxdepth 2 -name 'rtb*' 2>/dev/null)" ]
	[ -z "$(ls -d /sys/fs/cgroup/cpuset/rtb-keep-* 2>/dev/null)" ]
}

# What every rt command pays before main(), kept in check without timing:
# no package init but prefault's (its heap probe) allocates more than 4 KiB
# (a crc32 table built at init cost 0.14 ms a start), and the writable
# image stays small (a dependency's 32 MiB .bss would be populated by
# prefault up to its cap, and cost memory anyway).
@test "startup budget: package inits allocate little, the writable image is small" {
	run env GODEBUG=inittrace=1 "$RT" --version
	[ "$status" -eq 0 ]
	local big
	big=$(awk '$1 == "init" && $2 != "rt/prefault" && $8 > 4096 {print $2, $8}' <<<"$output")
	echo "inits allocating more than 4 KiB: $big"
	[ -z "$big" ]
	grep -q '^init rt/prefault ' <<<"$output"
	local rw
	rw=$(readelf -lW "$RT" | awk '$1 == "LOAD" && $7 ~ /W/ {print $6}')
	echo "writable LOAD MemSiz: $rw"
	[ -n "$rw" ]
	[ $((rw)) -lt $((4 << 20)) ]
}
