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
		'.limits.min_memory_kb.rt' '.limits.min_memory_kb.runc' '.ratios.rt_floor_cpu'; do
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
