#!/usr/bin/env bats
# The command line around containers: --version, spec, features, list, the
# global flags --root, --log, --log-format and --debug.

load helpers

setup() { setup_bundle; }
teardown() {
	teardown_bundle
	# A container made under the default root by the --root test.
	[ -z "${DEFAULT_ID:-}" ] || "$RT" delete -f "$DEFAULT_ID" >/dev/null 2>&1
	return 0
}

@test "--version: rt's version, commit and the runtime-spec version" {
	run "$RT" --version
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "rt version "* ]]
	[[ "${lines[1]}" =~ ^commit:\ [0-9a-f]{7,}$ ]] # the Makefile sets it
	[ "${lines[2]}" = "spec: 1.3.0" ]
}

@test "spec: a runtime-spec 1.3 default config like runc spec; never overwrites" {
	dir=$(mktemp -d "$BATS_RUN_TMPDIR/spec.XXXXXX")
	(cd "$dir" && "$RT" spec)
	jq -e '.ociVersion == "1.3.0" and .process.args == ["sh"] and .process.terminal == true and
		.process.cwd == "/" and .process.noNewPrivileges == true and .root == {"path": "rootfs", "readonly": true} and
		.process.capabilities.bounding == ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"] and
		([.mounts[].destination] == ["/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup"]) and
		([.linux.namespaces[].type] | sort) == ["cgroup", "ipc", "mount", "network", "pid", "uts"] and
		.linux.resources.devices == [{"allow": false, "access": "rwm"}] and
		(.linux.maskedPaths | index("/proc/kcore")) != null and (.linux.readonlyPaths | index("/proc/sys")) != null' "$dir/config.json"
	echo '{"mine": true}' >"$dir/config.json"
	run "$RT" spec --bundle "$dir"
	[ "$status" -ne 0 ]
	[[ "$output" == *"$dir/config.json already exists"* ]]
	[ "$(cat "$dir/config.json")" = '{"mine": true}' ]
	rm -rf "$dir"
}

@test "spec --rootless: a user namespace mapping the caller, no network or cgroup namespace" {
	dir=$(mktemp -d "$BATS_RUN_TMPDIR/spec.XXXXXX")
	"$RT" spec --rootless --bundle "$dir"
	jq -e '.linux.uidMappings == [{"containerID": 0, "hostID": 0, "size": 1}] and
		.linux.gidMappings == [{"containerID": 0, "hostID": 0, "size": 1}] and
		([.linux.namespaces[].type] | sort) == ["ipc", "mount", "pid", "user", "uts"] and
		.linux.resources == null and ([.mounts[].destination] | index("/sys/fs/cgroup")) == null and
		(.mounts[] | select(.destination == "/sys") | .options | index("rbind")) != null' "$dir/config.json"
	rm -rf "$dir"
}

@test "the default spec runs once the terminal is off" {
	# setup_bundle made the config with `rt spec`; it only turned off the terminal.
	update_config '.process.args = ["sh", "-c", "echo ok; hostname"]'
	run rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ "$output" = $'ok\nrt' ]
}

@test "features: runtime-spec features JSON with the namespaces and mount options rt supports" {
	run "$RT" features
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.ociVersionMin == "1.0.0" and .ociVersionMax == "1.3.0" and
		(.linux.namespaces | sort) == ["cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"] and
		(.hooks | sort) == ["createRuntime", "poststart", "poststop", "prestart"] and
		([.mountOptions[] | select(. == "bind" or . == "rbind" or . == "ro" or . == "nosuid" or . == "nodev" or . == "noexec" or . == "rprivate" or . == "rslave")] | length) == 8 and
		(.linux.capabilities | index("CAP_SYS_ADMIN")) != null and
		.linux.cgroup.v1 == true and .linux.cgroup.systemd == false and .linux.intelRdt.enabled == false'
}

@test "list: runc's table columns, json, quiet" {
	update_config '.process.args = ["sleep", "100"]'
	rt run -d --bundle "$BUNDLE" "$ID"
	rt create --bundle "$BUNDLE" "$ID-b"
	run rt list
	[ "$status" -eq 0 ]
	[ "$(echo ${lines[0]})" = "ID PID STATUS BUNDLE CREATED OWNER" ]
	pid=$(state_field "$ID" pid)
	created=$(state_field "$ID" created)
	[ "$(echo ${lines[1]})" = "$ID $pid running $BUNDLE $created root" ]
	[[ "$(echo ${lines[2]})" == "$ID-b "[0-9]*" created $BUNDLE "* ]]
	run rt list --format json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e --arg id "$ID" 'length == 2 and .[0].id == $id and .[0].status == "running" and .[1].status == "created" and .[0].owner == "root"'
	run rt list -q
	[ "$output" = "$(printf '%s\n%s-b' "$ID" "$ID")" ]
	rt delete -f "$ID-b"
	run rt list --format bogus
	[ "$status" -ne 0 ]
	[[ "$output" == *'--format: "bogus" is not table or json'* ]]
}

@test "list of an empty or missing root" {
	run rt list --format json
	[ "$output" = "[]" ]
	run "$RT" --root "$ROOT/missing" list -q
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "--root: state goes under it; the default is /run/rt" {
	update_config '.process.args = ["sleep", "100"]'
	rt create --bundle "$BUNDLE" "$ID"
	[ -f "$ROOT/$ID/state.json" ]
	DEFAULT_ID="$ID-default"
	"$RT" create --bundle "$BUNDLE" "$DEFAULT_ID"
	[ -f "/run/rt/$DEFAULT_ID/state.json" ]
	"$RT" list -q | grep -qx "$DEFAULT_ID"
	"$RT" delete -f "$DEFAULT_ID"
	[ ! -e "/run/rt/$DEFAULT_ID" ]
	assert_nothing_left "$DEFAULT_ID"
}

@test "--log: an error lands in the log file, as text or as json" {
	run rt --log "$BUNDLE/log.txt" state "$ID"
	[ "$status" -ne 0 ]
	grep -q "^time=\"[0-9T:.-]*Z\" level=error msg=\"container does not exist: $ID\"$" "$BUNDLE/log.txt"
	run rt --log "$BUNDLE/log.json" --log-format json start "$ID"
	[ "$status" -ne 0 ]
	jq -e --arg id "$ID" '.level == "error" and .msg == "container does not exist: \($id)" and (.time | test("Z$"))' "$BUNDLE/log.json"
	# So is the error of a command that has no container.
	run rt --log "$BUNDLE/log.json" --log-format json spec --bundle "$BUNDLE"
	[ "$status" -ne 0 ]
	tail -1 "$BUNDLE/log.json" | jq -e '.msg | test("config.json already exists")'
	run rt --log-format yaml list
	[ "$status" -ne 0 ]
	[[ "$output" == *'--log-format: "yaml" is not text or json'* ]]
}

@test "--debug: debug lines on stderr and in the log" {
	run rt --debug --log "$BUNDLE/log.json" --log-format json run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[[ "$output" == *"rt: debug: "*"run --bundle $BUNDLE $ID"* ]]
	jq -s -e --arg id "$ID" 'map(select(.level == "debug")) | length >= 2 and (map(.msg) | any(test("container \($id): init pid [0-9]+")))' "$BUNDLE/log.json"
	# Without --debug, nothing but errors.
	run rt --log "$BUNDLE/log.txt" run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ ! -e "$BUNDLE/log.txt" ]
}
