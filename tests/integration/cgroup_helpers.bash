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
