#!/usr/bin/env bash
# rt's benchmark (make bench): rt against the kernel's floor (unshare +
# chroot + exec) and against Debian's runc, in one run, alternating the
# commands; medians and ratios in a table and in a JSON file.
#
# The Go floor (bench/gofloor) is the floor's clone, chroot and exec done
# from a pure Go process: what a runtime in Go pays before its own work.
#
# Env: BENCH_N (default 100) runs per timed step, BENCH_QUICK=1 (N=3, fewer
# containers for the scale test), BENCH_OUT (default bench/results.json).
set -euo pipefail
cd "$(dirname "$0")/.."
RT_BENCH_DEPS=1 ./scripts/install-deps.sh
export PATH="$PATH:/usr/local/go/bin"
make -s rt gofloor

N=${BENCH_N:-100}
SCALE=${BENCH_SCALE:-200}
if [ -n "${BENCH_QUICK:-}" ]; then
	N=3
	SCALE=10
fi
IDLE_N=10
IDLE_S=0.5
[ -n "${BENCH_QUICK:-}" ] && IDLE_N=2
OUT=${BENCH_OUT:-bench/results.json}
RT=$PWD/rt
W=$(mktemp -d /tmp/rt-bench.XXXXXX)
# The state roots (--root) of both runtimes on a tmpfs of the benchmark's
# own: their defaults, /run/rt and /run/runc, are on a tmpfs on any usual
# host, and a disk filesystem's inode allocation would be charged to both.
S=$W/state
go build -o "$W/measure" ./bench/measure
cc -O2 -static -o "$W/maxrss" bench/maxrss/maxrss.c
ID=rtb$$

cleanup() {
	local r id
	for r in "$S/rt-root" "$S/runc-root"; do
		[ -d "$r" ] || continue
		if [[ $r == *runc-root ]]; then
			for id in $(runc --root "$r" list -q 2>/dev/null); do runc --root "$r" delete -f "$id" >/dev/null 2>&1 || true; done
		else
			for id in $("$RT" --root "$r" list -q 2>/dev/null); do "$RT" --root "$r" delete -f "$id" >/dev/null 2>&1 || true; done
		fi
	done
	[ -n "${KEEP_CPUSET:-}" ] && rmdir "$KEEP_CPUSET" 2>/dev/null
	umount "$S" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir "$S"
mount -t tmpfs -o mode=0700 rt-bench-state "$S"

. tests/lib/rootfs.sh
make_rootfs "$W/bundle/rootfs"
"$RT" spec --bundle "$W/bundle"
jq '.process.terminal = false | .process.args = ["/bin/true"]' "$W/bundle/config.json" >"$W/c.json"
mv "$W/c.json" "$W/bundle/config.json"
B=$W/bundle
rt() { "$RT" --root "$S/rt-root" "$@"; }
runc_() { runc --root "$S/runc-root" "$@"; }

# with_config JQ CMD...: run CMD with the bundle's config edited by JQ, then restore it.
with_config() {
	local f=$1
	shift
	cp "$B/config.json" "$W/saved.json"
	jq "$f" "$W/saved.json" >"$B/config.json"
	local rc=0
	"$@" || rc=$?
	mv "$W/saved.json" "$B/config.json"
	return $rc
}

measure() { # measure JSON-GROUPS N: medians per step
	jq -n --argjson g "$1" --argjson n "$2" '{n: $n, warmup: 2, groups: $g}' | "$W/measure"
}

# The first cpuset cgroup on a host makes the kernel enable a static key,
# patching code on every CPU (~3 ms of CPU here); removing the last one
# turns it off again. On a host with no other cpuset cgroup (as these
# machines) every container's mkdir pays that; on one with any (a docker or
# kubernetes host has several) none does. So where the host has none, rt
# and runc also run, interleaved with the rest, while an empty cpuset cgroup
# of the benchmark's own is kept ("-keyed"): reported beside the result,
# not instead of it.
CPUSET_ROOT=/sys/fs/cgroup/cpuset
KEYED=false
if [ -d "$CPUSET_ROOT" ] && [ -z "$(find "$CPUSET_ROOT" -mindepth 1 -maxdepth 1 -type d -print -quit)" ]; then
	KEYED=true
	KEEP_CPUSET=$CPUSET_ROOT/rtb-keep-$$
fi
echo "== run /bin/true: floor, Go floor, rt, runc (N=$N, alternating)" >&2
RUN=$(measure "$(jq -n --arg rt "$RT" --arg b "$B" --arg id "$ID" --arg w "$S" --arg gf "$PWD/bench/gofloor/gofloor" \
	--argjson keyed "$KEYED" --arg keep "${KEEP_CPUSET:-}" '
	def keyed(name; cmd; id): {name: (name + "-keyed"), steps: [
		{name: "mkdir", untimed: true, argv: ["mkdir", $keep]},
		{name: "run", argv: [cmd, "--root", ($w + "/" + name + "-root"), "run", "--bundle", $b, id]},
		{name: "rmdir", untimed: true, argv: ["rmdir", $keep]}]};
	[
	{name: "floor", steps: [{name: "run", argv: ["unshare", "--fork", "--pid", "--mount", "--uts", "--ipc", "--net", "chroot", ($b + "/rootfs"), "/bin/true"]}]},
	{name: "gofloor", steps: [{name: "run", argv: [$gf, ($b + "/rootfs"), "/bin/true"]}]},
	{name: "rt", steps: [{name: "run", argv: [$rt, "--root", ($w + "/rt-root"), "run", "--bundle", $b, ($id + "-run")]}]},
	{name: "runc", steps: [{name: "run", argv: ["runc", "--root", ($w + "/runc-root"), "run", "--bundle", $b, ($id + "-runc-run")]}]}
	] + (if $keyed then [keyed("rt"; $rt; $id + "-run"), keyed("runc"; "runc"; $id + "-runc-run")] else [] end)')" "$N")
KEEP_CPUSET=

echo "== run /bin/true with docker's default seccomp profile (N=$N)" >&2
# What docker, podman and kubernetes pass: libseccomp compiles it in ~7 ms;
# rt compiles it once and then takes the filter from its cache
# (--root/@seccomp), runc compiles it every time.
seccomp_run() {
	measure "$(jq -n --arg rt "$RT" --arg b "$B" --arg id "$ID" --arg w "$S" '[
	{name: "rt-seccomp", steps: [{name: "run", argv: [$rt, "--root", ($w + "/rt-root"), "run", "--bundle", $b, ($id + "-sc")]}]},
	{name: "runc-seccomp", steps: [{name: "run", argv: ["runc", "--root", ($w + "/runc-root"), "run", "--bundle", $b, ($id + "-runc-sc")]}]}]')" "$N"
}
SECCOMP=$(with_config ".linux.seccomp = $(jq -c . tests/integration/testdata/docker-default.json)" seccomp_run)

echo "== create, start, delete (N=$N)" >&2
SPLIT=$(measure "$(jq -n --arg rt "$RT" --arg b "$B" --arg id "$ID" --arg w "$S" '
	def split(name; cmd; root; id): {name: name, steps: [
		{name: "create", argv: [cmd, "--root", root, "create", "--bundle", $b, id]},
		{name: "start", argv: [cmd, "--root", root, "start", id]},
		{name: "delete", argv: [cmd, "--root", root, "delete", "-f", id]}]};
	[split("rt"; $rt; $w + "/rt-root"; $id + "-split"), split("runc"; "runc"; $w + "/runc-root"; $id + "-runc-split")]')" "$N")

echo "== exec /bin/true into a running container (N=$N)" >&2
with_config '.process.args = ["sleep", "100000"]' rt run -d --bundle "$B" "$ID-exec" </dev/null >/dev/null 2>&1
with_config '.process.args = ["sleep", "100000"]' runc_ run -d --bundle "$B" "$ID-runc-exec" </dev/null >/dev/null 2>&1
exec_groups=$(jq -n --arg rt "$RT" --arg id "$ID" --arg w "$S" '[
	{name: "rt", steps: [{name: "exec", argv: [$rt, "--root", ($w + "/rt-root"), "exec", ($id + "-exec"), "/bin/true"]}]},
	{name: "runc", steps: [{name: "exec", argv: ["runc", "--root", ($w + "/runc-root"), "exec", ($id + "-runc-exec"), "/bin/true"]}]}]')
EXEC=$(measure "$exec_groups" "$N")

echo "== run and exec after a quiet while (N=$IDLE_N, ${IDLE_S}s idle before each)" >&2
# Back to back, as above, the kernel's cgroup_threadgroup_rwsem stays in
# its writer mode; after a quiet while, the first write of a pid to
# cgroup.procs waits for an RCU grace period (~5 ms here). What a user
# running one container, or a manager exec'ing a probe now and then, sees.
IDLE=$(measure "$(jq -n --arg rt "$RT" --arg b "$B" --arg id "$ID" --arg w "$S" --arg idle "$IDLE_S" '
	def idle(name; argv): {name: name, steps: [{name: "idle", untimed: true, argv: ["sleep", $idle]}, {name: "wall", argv: argv}]};
	[idle("rt-run"; [$rt, "--root", ($w + "/rt-root"), "run", "--bundle", $b, ($id + "-idle")]),
	idle("runc-run"; ["runc", "--root", ($w + "/runc-root"), "run", "--bundle", $b, ($id + "-runc-idle")]),
	idle("rt-exec"; [$rt, "--root", ($w + "/rt-root"), "exec", ($id + "-exec"), "/bin/true"]),
	idle("runc-exec"; ["runc", "--root", ($w + "/runc-root"), "exec", ($id + "-runc-exec"), "/bin/true"])]')" "$IDLE_N")
rt delete -f "$ID-exec"
runc_ delete -f "$ID-runc-exec"

echo "== peak memory during run" >&2
# Through bench/maxrss: a command forked from measure (a Go program) would
# start with measure's own peak. The median of 5 runs, in KiB.
peak_rss() { # peak_rss CMD...: median peak RSS of the command and what it waited for
	local i v all=()
	for i in 1 2 3 4 5; do
		v=$("$W/maxrss" "$@" 2>&1 >/dev/null </dev/null | awk '$1 == "maxrss_kb" {print $2}')
		[ -n "$v" ] || { echo "maxrss: no result for $*" >&2; return 1; }
		all+=("$v")
	done
	printf '%s\n' "${all[@]}" | sort -n | sed -n 3p
}
RT_PEAK=$(peak_rss "$RT" --root "$S/rt-root" run --bundle "$B" "$ID-peak")
RUNC_PEAK=$(peak_rss runc --root "$S/runc-root" run --bundle "$B" "$ID-runc-peak")
FLOOR_PEAK=$(peak_rss unshare --fork --pid --mount --uts --ipc --net chroot "$B/rootfs" /bin/true)

echo "== memory of a created container" >&2
# What each runtime leaves alive while a container is created: rt's waiting
# init (no Go runtime in it), runc's `runc init` (a Go process).
rss_of() { # rss_of PID: "RSS_KB PSS_KB" from smaps_rollup
	awk '/^Rss:/ {r=$2} /^Pss:/ {p=$2} END {print r, p}' "/proc/$1/smaps_rollup"
}
rt create --bundle "$B" "$ID-mem" </dev/null >/dev/null 2>&1
runc_ create --bundle "$B" "$ID-runc-mem" </dev/null >/dev/null 2>&1
read -r RT_RSS RT_PSS < <(rss_of "$(rt state "$ID-mem" | jq .pid)")
read -r RUNC_RSS RUNC_PSS < <(rss_of "$(runc_ state "$ID-runc-mem" | jq .pid)")
rt delete -f "$ID-mem"
runc_ delete -f "$ID-runc-mem"

echo "== scale: create with none and with $SCALE containers created" >&2
# One create (then an untimed delete) measured SCALE_N times, rt and runc
# alternating, with no other container, and again with SCALE created ones
# of each runtime. Where the host has no cpuset cgroup, the benchmark's own
# is kept meanwhile, as for the -keyed runs: else every create with none
# around would pay the static key (it makes the first cpuset cgroup) and the
# comparison would favour the last. Then with none again, after the
# deletes: growth is judged against both. runc beside rt tells what of any
# growth is the kernel's: both make the same cgroups, mounts and processes.
SCALE_N=20
[ -n "${BENCH_QUICK:-}" ] && SCALE_N=3
create_probe() { # create_probe LABEL: measure groups creating and deleting one container, rt and runc
	jq -n --arg rt "$RT" --arg b "$B" --arg id "$ID-probe" --arg w "$S" --arg g "$1" '
	def probe(name; cmd; root): {name: (name + "-" + $g), steps: [
		{name: "create", argv: [cmd, "--root", root, "create", "--bundle", $b, $id]},
		{name: "delete", untimed: true, argv: [cmd, "--root", root, "delete", "-f", $id]}]};
	[probe("rt"; $rt; $w + "/rt-root"), probe("runc"; "runc"; $w + "/runc-root")]'
}
if [ "$KEYED" = true ]; then
	KEEP_CPUSET=$CPUSET_ROOT/rtb-keep-$$
	mkdir "$KEEP_CPUSET"
fi
SCALE0=$(measure "$(create_probe none)" "$SCALE_N")
for i in $(seq 1 "$SCALE"); do
	rt create --bundle "$B" "$ID-s$i" </dev/null >/dev/null 2>&1
	runc_ create --bundle "$B" "$ID-runc-s$i" </dev/null >/dev/null 2>&1
done
SCALEN=$(measure "$(create_probe many)" "$SCALE_N")
SCALEM=$(measure "$(jq -n --arg rt "$RT" --arg id "$ID" --arg w "$S" '[
	{name: "rt", steps: [{name: "list", argv: [$rt, "--root", ($w + "/rt-root"), "list"]},
		{name: "state", argv: [$rt, "--root", ($w + "/rt-root"), "state", ($id + "-s1")]}]}]')" 10)
for i in $(seq 1 "$SCALE"); do
	rt delete -f "$ID-s$i"
	runc_ delete -f "$ID-runc-s$i"
done
# And with none again: the machine's drift over the test, bracketed.
SCALE0B=$(measure "$(create_probe none-again)" "$SCALE_N")
if [ -n "${KEEP_CPUSET:-}" ]; then
	rmdir "$KEEP_CPUSET"
	KEEP_CPUSET=
fi

echo "== tight limits" >&2
# runs_with RUNTIME JQ: does `run` of /bin/true succeed with this config edit?
runs_with() {
	local cmd=(rt) id="$ID-lim"
	[ "$1" = runc ] && cmd=(runc_) id="$ID-runc-lim"
	with_config "$2" "${cmd[@]}" run --bundle "$B" "$id" </dev/null >/dev/null 2>&1
	local rc=$?
	"${cmd[@]}" delete -f "$id" >/dev/null 2>&1 || true
	return $rc
}
min_memory() { # smallest memory.limit (KiB, 64 KiB steps) with which run works, or 0
	local lo=256 hi=16384 mid
	runs_with "$1" ".linux.resources.memory = {limit: $((hi * 1024))}" || { echo 0; return; }
	while [ $((hi - lo)) -gt 64 ]; do
		mid=$(((lo + hi) / 2 / 64 * 64))
		if runs_with "$1" ".linux.resources.memory = {limit: $((mid * 1024))}"; then hi=$mid; else lo=$mid; fi
	done
	echo "$hi"
}
RT_MINMEM=$(min_memory rt)
RUNC_MINMEM=$(min_memory runc)
RT_PIDS1=no RUNC_PIDS1=no
runs_with rt '.linux.resources.pids = {limit: 1}' && RT_PIDS1=yes
runs_with runc '.linux.resources.pids = {limit: 1}' && RUNC_PIDS1=yes

jq -n --argjson run "$RUN" --argjson seccomp "$SECCOMP" --argjson split "$SPLIT" --argjson exec "$EXEC" --argjson idle "$IDLE" --argjson idlen "$IDLE_N" --arg idles "$IDLE_S" --argjson scale "$SCALEM" \
	--argjson n "$N" --argjson count "$SCALE" --argjson sn "$SCALE_N" --argjson s0 "$SCALE0" --argjson sn_ "$SCALEN" --argjson s0b "$SCALE0B" \
	--argjson rtpeak "$RT_PEAK" --argjson runcpeak "$RUNC_PEAK" --argjson floorpeak "$FLOOR_PEAK" --argjson rtrss "$RT_RSS" --argjson rtpss "$RT_PSS" --argjson runcrss "$RUNC_RSS" --argjson runcpss "$RUNC_PSS" \
	--argjson rtmin "$RT_MINMEM" --argjson runcmin "$RUNC_MINMEM" --arg rtp "$RT_PIDS1" --arg runcp "$RUNC_PIDS1" \
	--arg host "$(uname -r)" --arg runcv "$(runc --version | head -1)" '{
	n: $n, kernel: $host, runc: $runcv,
	run: $run, seccomp: $seccomp, split: $split, exec: $exec,
	after_idle: {n: $idlen, idle_s: ($idles | tonumber), run_wall_ms: {rt: $idle["rt-run/wall"].wall_ms, runc: $idle["runc-run/wall"].wall_ms},
		exec_wall_ms: {rt: $idle["rt-exec/wall"].wall_ms, runc: $idle["runc-exec/wall"].wall_ms}},
	ratios: {
		rt_floor_wall: ($run["rt/run"].wall_ms / $run["floor/run"].wall_ms),
		rt_floor_cpu: ($run["rt/run"].cpu_ms / $run["floor/run"].cpu_ms),
		gofloor_floor_cpu: ($run["gofloor/run"].cpu_ms / $run["floor/run"].cpu_ms),
		rt_gofloor_wall: ($run["rt/run"].wall_ms / $run["gofloor/run"].wall_ms),
		rt_gofloor_cpu: ($run["rt/run"].cpu_ms / $run["gofloor/run"].cpu_ms),
		rt_runc_wall: ($run["rt/run"].wall_ms / $run["runc/run"].wall_ms),
		rt_runc_cpu: ($run["rt/run"].cpu_ms / $run["runc/run"].cpu_ms),
		runc_floor_wall: ($run["runc/run"].wall_ms / $run["floor/run"].wall_ms),
		runc_floor_cpu: ($run["runc/run"].cpu_ms / $run["floor/run"].cpu_ms),
		exec_rt_runc_wall: ($exec["rt/exec"].wall_ms / $exec["runc/exec"].wall_ms),
		seccomp_rt_runc_cpu: ($seccomp["rt-seccomp/run"].cpu_ms / $seccomp["runc-seccomp/run"].cpu_ms),
		keyed_rt_floor_cpu: (if $run["rt-keyed/run"] then $run["rt-keyed/run"].cpu_ms / $run["floor/run"].cpu_ms else null end),
		keyed_rt_runc_cpu: (if $run["rt-keyed/run"] then $run["rt-keyed/run"].cpu_ms / $run["runc-keyed/run"].cpu_ms else null end),
		created_rss_rt_runc: ($rtrss / $runcrss)
	},
	memory: {run_peak_rss_kb: {rt: $rtpeak, runc: $runcpeak, floor: $floorpeak},
		created_kb: {rt: {rss: $rtrss, pss: $rtpss}, runc: {rss: $runcrss, pss: $runcpss}}},
	scale: {containers: $count, median_of: $sn,
		create_first_ms: $s0["rt-none/create"].wall_ms, create_last_ms: $sn_["rt-many/create"].wall_ms,
		create_first_cpu_ms: $s0["rt-none/create"].cpu_ms, create_last_cpu_ms: $sn_["rt-many/create"].cpu_ms,
		create_after_ms: $s0b["rt-none-again/create"].wall_ms, create_after_cpu_ms: $s0b["rt-none-again/create"].cpu_ms,
		runc: {create_first_cpu_ms: $s0["runc-none/create"].cpu_ms, create_last_cpu_ms: $sn_["runc-many/create"].cpu_ms,
			create_after_cpu_ms: $s0b["runc-none-again/create"].cpu_ms},
		list_ms: $scale["rt/list"].wall_ms, state_ms: $scale["rt/state"].wall_ms},
	limits: {min_memory_kb: {rt: $rtmin, runc: $runcmin}, pids_limit_1: {rt: $rtp, runc: $runcp}}
}' >"$OUT"

# The table.
jq -r '
	def f: if . == null then "n/a" else (. * 100 | round / 100 | tostring) end;
	"rt benchmark (N=\(.n), kernel \(.kernel), \(.runc)); medians",
	"",
	"step                    wall ms   cpu ms   ",
	(.run, .seccomp, .split, .exec | to_entries[] | "\(.key | . + " " * (22 - length))  \(.value.wall_ms | f | " " * (8 - length) + .)  \(.value.cpu_ms | f | " " * (7 - length) + .)"),
	"",
	"ratios: rt/floor wall \(.ratios.rt_floor_wall | f)x cpu \(.ratios.rt_floor_cpu | f)x;  rt/runc wall \(.ratios.rt_runc_wall | f)x cpu \(.ratios.rt_runc_cpu | f)x;  runc/floor wall \(.ratios.runc_floor_wall | f)x cpu \(.ratios.runc_floor_cpu | f)x",
	"Go floor/floor cpu \(.ratios.gofloor_floor_cpu | f)x;  rt/Go floor wall \(.ratios.rt_gofloor_wall | f)x cpu \(.ratios.rt_gofloor_cpu | f)x",
	"exec rt/runc wall: \(.ratios.exec_rt_runc_wall | f);  with docker default seccomp profile rt/runc cpu \(.ratios.seccomp_rt_runc_cpu | f)x",
	"after \(.after_idle.idle_s) s idle (wall ms, median of \(.after_idle.n)): run rt \(.after_idle.run_wall_ms.rt | f), runc \(.after_idle.run_wall_ms.runc | f); exec rt \(.after_idle.exec_wall_ms.rt | f), runc \(.after_idle.exec_wall_ms.runc | f)",
	(if .ratios.keyed_rt_floor_cpu then "with a cpuset cgroup kept on the host (-keyed): rt/floor cpu \(.ratios.keyed_rt_floor_cpu | f)x, rt/runc cpu \(.ratios.keyed_rt_runc_cpu | f)x" else "(the host has cpuset cgroups: no -keyed runs)" end),
	"peak RSS during run: rt \(.memory.run_peak_rss_kb.rt) KiB, runc \(.memory.run_peak_rss_kb.runc) KiB (floor \(.memory.run_peak_rss_kb.floor) KiB)",
	"created container left alive: rt RSS \(.memory.created_kb.rt.rss) KiB (PSS \(.memory.created_kb.rt.pss)), runc RSS \(.memory.created_kb.runc.rss) KiB (PSS \(.memory.created_kb.runc.pss)); ratio \(.ratios.created_rss_rt_runc | f)",
	"scale: create with no other container \(.scale.create_first_ms | f) ms (cpu \(.scale.create_first_cpu_ms | f)), with \(.scale.containers) created \(.scale.create_last_ms | f) ms (cpu \(.scale.create_last_cpu_ms | f)), with none again \(.scale.create_after_ms | f) ms (cpu \(.scale.create_after_cpu_ms | f)), medians of \(.scale.median_of); list \(.scale.list_ms | f) ms, state \(.scale.state_ms | f) ms",
	"scale, runc beside it: create cpu \(.scale.runc.create_first_cpu_ms | f) ms with none, \(.scale.runc.create_last_cpu_ms | f) with \(.scale.containers) created, \(.scale.runc.create_after_cpu_ms | f) with none again",
	"smallest memory limit for run /bin/true: rt \(.limits.min_memory_kb.rt) KiB, runc \(.limits.min_memory_kb.runc) KiB (0 = fails even at 16 MiB)",
	"pids.limit 1: rt \(.limits.pids_limit_1.rt), runc \(.limits.pids_limit_1.runc)",
	"",
	"JSON: '"$OUT"'"' "$OUT"
