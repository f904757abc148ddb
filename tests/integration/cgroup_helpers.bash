# Helpers for the cgroup tests (cgroups, pause, update, events, ps).

# set_script SCRIPT: the container runs `sh -c SCRIPT`.
set_script() {
	local tmp
	tmp=$(mktemp "$BUNDLE/config.XXXXXX")
	jq --arg s "$1" '.process.args = ["sh", "-c", $s]' "$BUNDLE/config.json" >"$tmp" && mv "$tmp" "$BUNDLE/config.json"
}

# run_inside SCRIPT: run `sh -c SCRIPT` in the foreground, kept after it
# exits (run --keep); its output is in $inside. The container (and its
# cgroups) stay until the test deletes it, for the host-side checks.
# (Not create + start: `rt start` of a program that exits at once may
# report "exited as it started".)
run_inside() {
	set_script "$1"
	rt run --keep --bundle "$BUNDLE" "$ID" >"$BUNDLE/out" 2>&1 </dev/null || { cat "$BUNDLE/out"; return 1; }
	[ "$(rt state "$ID" | jq -r .status)" = stopped ]
	inside=$(cat "$BUNDLE/out")
	echo "inside the container: $inside"
}

# run_detached SCRIPT: run `sh -c SCRIPT` in the background as $ID.
run_detached() {
	set_script "$1"
	rt run -d --bundle "$BUNDLE" "$ID" >"$BUNDLE/out" 2>&1 </dev/null || { cat "$BUNDLE/out"; return 1; }
}

# wait_status ID STATUS: poll (20 s at most: the machine is shared).
wait_status() {
	local i
	for i in $(seq 1 400); do
		[ "$(rt state "$1" 2>/dev/null | jq -r .status)" = "$2" ] && return 0
		sleep 0.05
	done
	echo "container $1 is $(rt state "$1" 2>&1 | jq -r .status), not $2" >&2
	return 1
}

# cg ID CONTROLLER FILE: a file of the container's cgroup on the host.
cg() {
	cat "$(cgroup_dir "$1" "$2")/$3"
}

# cgroup_dirs ID: every cgroup directory of the container, one a line.
cgroup_dirs() {
	jq -r '.cgroup.paths[]' "$ROOT/$1/state.json" | sort -u
}

# assert_clean_failure PATTERN: the last `run` failed with an error matching
# PATTERN, and left nothing behind for $ID (assert_nothing_left).
assert_clean_failure() {
	echo "status=$status output=$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"$1"* ]]
	assert_nothing_left
}

# a real block device of the host, as MAJOR:MINOR
block_dev() {
	local d
	for d in /sys/block/*; do
		case $(basename "$d") in loop* | ram* | zram*) continue ;; esac
		cat "$d/dev"
		return 0
	done
	return 1
}

# cg_layout: how this host mounts cgroups, as rt sees it: v2 (cgroup2 on
# /sys/fs/cgroup), hybrid (v1 hierarchies and cgroup2 on
# /sys/fs/cgroup/unified) or v1.
cg_layout() {
	if awk '$2 == "/sys/fs/cgroup" && $3 == "cgroup2" {f = 1} END {exit !f}' /proc/self/mounts; then
		echo v2
	elif awk '$2 == "/sys/fs/cgroup/unified" && $3 == "cgroup2" {f = 1} END {exit !f}' /proc/self/mounts; then
		echo hybrid
	else
		echo v1
	fi
}

# require_layout LAYOUT: skip a test written for the files of another
# layout than this host's (cgroup_layout.bats checks the same resources on
# every layout; tests/vm/run.sh runs it on v2 and v1).
require_layout() {
	local l
	l=$(cg_layout)
	[ "$l" = "$1" ] || skip "written for the files of a $1 host, this one is $l (cgroup_layout.bats covers $l)"
}

# in_cg_dir CONTROLLER: where the container sees the files of CONTROLLER
# under its /sys/fs/cgroup: the top on v2, "unified" for a controller of
# the hybrid host's cgroup2 tree, else the controller's hierarchy.
in_cg_dir() {
	case $(cg_layout) in
	v2) echo "" ;;
	hybrid) if grep -qw "$1" /sys/fs/cgroup/unified/cgroup.controllers; then echo unified/; else echo "$1/"; fi ;;
	v1) echo "$1/" ;;
	esac
}

# cg_expect CONTROLLER FILE VALUE: record a file of the container's cgroup
# and the value it must have; cg_check_expected then compares them on the
# host side and from inside (in $inside, as run_inside leaves it, one value
# a line in the order recorded: in_cg_expected is the script that prints them).
cg_expect() {
	cg_exp_ctrl+=("$1")
	cg_exp_file+=("$2")
	cg_exp_want+=("$3")
}
cg_exp_ctrl=() cg_exp_file=() cg_exp_want=()
in_cg_expected() {
	local i s=""
	for i in "${!cg_exp_file[@]}"; do
		s+="cat /sys/fs/cgroup/$(in_cg_dir "${cg_exp_ctrl[$i]}")${cg_exp_file[$i]}; "
	done
	echo "$s"
}
cg_check_expected() {
	local i want="" got bad=0
	for i in "${!cg_exp_file[@]}"; do
		want+="${want:+$'\n'}${cg_exp_want[$i]}"
		got=$(cg "$ID" "${cg_exp_ctrl[$i]}" "${cg_exp_file[$i]}")
		if [ "$got" != "${cg_exp_want[$i]}" ]; then
			echo "host: ${cg_exp_ctrl[$i]} ${cg_exp_file[$i]} is \"$got\", want \"${cg_exp_want[$i]}\"" >&2
			bad=1
		fi
	done
	if [ "$inside" != "$want" ]; then
		echo "inside: got"$'\n'"$inside"$'\n'"want"$'\n'"$want" >&2
		bad=1
	fi
	return $bad
}

# cpu_usage ID: the container's CPU time so far (v1 cpuacct.usage in ns,
# v2 usage_usec of cpu.stat).
cpu_usage() {
	if [ "$(cg_layout)" = v2 ]; then
		awk '$1 == "usage_usec" {print $2}' "$(cgroup_dir "$1" cpu)/cpu.stat"
	else
		cg "$1" cpuacct cpuacct.usage
	fi
}

# freezer_state ID: FROZEN or THAWED (v1 freezer.state; v2 cgroup.freeze,
# with "frozen 1" in cgroup.events once every task has stopped).
freezer_state() {
	if [ "$(cg_layout)" = v2 ]; then
		local d
		d=$(cgroup_dir "$1" freezer)
		if [ "$(cat "$d/cgroup.freeze")" = 1 ] && grep -qx 'frozen 1' "$d/cgroup.events"; then
			echo FROZEN
		elif [ "$(cat "$d/cgroup.freeze")" = 0 ] && grep -qx 'frozen 0' "$d/cgroup.events"; then
			echo THAWED
		else
			echo "FREEZING"
		fi
	else
		cg "$1" freezer freezer.state
	fi
}

# oom_kills ID: how many times the OOM killer killed in the container's cgroup.
oom_kills() {
	if [ "$(cg_layout)" = v2 ]; then
		awk '$1 == "oom_kill" {print $2}' "$(cgroup_dir "$1" memory)/memory.events"
	else
		awk '$1 == "oom_kill" {print $2}' "$(cgroup_dir "$1" memory)/memory.oom_control"
	fi
}
