#!/usr/bin/env bats
# Bad input: each is a clear error naming what is wrong, a non-zero exit,
# and nothing left behind (no state dir, cgroup, mount or process).

load helpers
load cgroup_helpers

setup() { setup_bundle; }
teardown() { teardown_bundle; }

@test "a missing bundle" {
	run rt run --bundle "$BUNDLE/nope" "$ID"
	assert_clean_failure "bundle $BUNDLE/nope: stat $BUNDLE/nope: no such file or directory"
}

@test "a bundle without config.json" {
	rm "$BUNDLE/config.json"
	run rt create --bundle "$BUNDLE" "$ID"
	assert_clean_failure "read config: open $BUNDLE/config.json: no such file or directory"
}

@test "invalid JSON: the error gives line and column" {
	printf '{\n  "ociVersion": "1.3.0",\n  "process": {,}\n}\n' >"$BUNDLE/config.json"
	run rt run --bundle "$BUNDLE" "$ID"
	assert_clean_failure "invalid JSON at line 3, column 15"
}

@test "a field of the wrong type: its JSON path" {
	update_config '.process.user.uid = "root"'
	run rt run --bundle "$BUNDLE" "$ID"
	assert_clean_failure "process.user.uid: cannot use JSON string as uint32"
}

@test "unknown or unsupported values: their JSON path" {
	update_config '.linux.namespaces += [{"type": "bogus"}]'
	run rt run --bundle "$BUNDLE" "$ID"
	assert_clean_failure 'linux.namespaces[6].type: unknown namespace type "bogus"'
	update_config '.linux.namespaces |= .[:6] | .process.capabilities.bounding += ["CAP_BOGUS"]'
	run rt run --bundle "$BUNDLE" "$ID"
	assert_clean_failure 'process.capabilities.bounding[3]: unknown capability "CAP_BOGUS"'
	update_config '.process.capabilities.bounding |= .[:3] | .process.rlimits[0].type = "RLIMIT_BOGUS"'
	run rt run --bundle "$BUNDLE" "$ID"
	assert_clean_failure 'process.rlimits[0].type: unknown rlimit "RLIMIT_BOGUS"'
	update_config '.process.rlimits[0].type = "RLIMIT_NOFILE" | .linux.personality = {"domain": "LINUX32"}'
	run rt run --bundle "$BUNDLE" "$ID"
	assert_clean_failure 'linux.personality: not supported by this build of rt'
}

@test "an id that already exists" {
	update_config '.process.args = ["sleep", "100"]'
	rt create --bundle "$BUNDLE" "$ID"
	pid=$(state_field "$ID" pid)
	run rt create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"container with this id already exists: $ID"* ]]
	# The first container is untouched.
	[ "$(state_field "$ID" status)" = created ]
	[ "$(state_field "$ID" pid)" = "$pid" ]
	rt delete -f "$ID"
	assert_nothing_left
}

@test "invalid ids: empty, ., .., with /, over 1024 bytes" {
	local long
	long=$(printf 'a%.0s' $(seq 1 1025))
	for bad in "" . .. "a/b" "../$ID" "$long"; do
		run rt run --bundle "$BUNDLE" "$bad"
		echo "id '$bad': $output"
		[ "$status" -ne 0 ]
		[[ "$output" == *"invalid container id"* ]]
	done
	# Nothing was created anywhere under the root, nor beside it.
	[ -z "$(ls -A "$ROOT")" ]
	[ ! -e "$(dirname "$ROOT")/$ID" ]
	# Valid by runc's rules, too long for a directory name: refused as clearly.
	run rt run --bundle "$BUNDLE" "$(printf 'b%.0s' $(seq 1 300))"
	[ "$status" -ne 0 ]
	[[ "$output" == *"invalid container id: 300 bytes is longer than a state directory name may be under $ROOT"* ]]
	[ -z "$(ls -A "$ROOT")" ]
	run rt state ..
	[ "$status" -ne 0 ]
	[[ "$output" == *'invalid container id: ".."'* ]]
}

@test "a program that does not exist in the rootfs: named" {
	update_config '.process.args = ["/bin/no-such-program"]'
	run rt run --bundle "$BUNDLE" "$ID"
	assert_clean_failure 'process.args[0]: exec: "/bin/no-such-program"'
	update_config '.process.args = ["no-such-program"]'
	run rt create --bundle "$BUNDLE" "$ID"
	assert_clean_failure 'exec: "no-such-program": executable file not found in $PATH'
}

@test "a bind mount source that does not exist" {
	update_config ".mounts += [{\"destination\": \"/mnt\", \"type\": \"bind\", \"source\": \"$BUNDLE/nope\", \"options\": [\"bind\"]}]"
	run rt run --bundle "$BUNDLE" "$ID"
	assert_clean_failure "mounts[7].source: stat $BUNDLE/nope: no such file or directory"
}

@test "a mount the kernel refuses: the mount is named" {
	update_config '.mounts += [{"destination": "/mnt", "type": "tmpfs", "source": "tmpfs", "options": ["size=bogus"]}]'
	run rt run --bundle "$BUNDLE" "$ID"
	assert_clean_failure "mounts[7] (tmpfs on /mnt)"
	update_config '.mounts[7] = {"destination": "/mnt", "type": "nosuchfs", "source": "x"}'
	run rt run --bundle "$BUNDLE" "$ID"
	assert_clean_failure "mounts[7] (nosuchfs on /mnt): open filesystem nosuchfs: no such device"
	update_config '.mounts[7] = {"destination": "/mnt", "source": "/tmp"}'
	run rt run --bundle "$BUNDLE" "$ID"
	assert_clean_failure "mounts[7].type: missing: only a bind mount"
}

@test "a cwd that does not exist in a read-only rootfs" {
	update_config '.process.cwd = "/no/such/dir"'
	run rt run --bundle "$BUNDLE" "$ID"
	assert_clean_failure "process.cwd /no/such/dir: chdir to /no/such/dir: read-only file system"
}

# This host's root lacks CAP_SYS_RESOURCE (not in its bounding set).
@test "a hard rlimit above rt's own: a clear error before anything runs" {
	hard=$(ulimit -Hn)
	update_config ".process.rlimits = [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 10, \"hard\": $((hard + 1))}]"
	run rt run --bundle "$BUNDLE" "$ID"
	assert_clean_failure "process.rlimits[0] (RLIMIT_NOFILE): hard limit $((hard + 1)) is above rt's own hard limit $hard"
}

@test "start of a container that is not created, delete of a running one" {
	update_config '.process.args = ["sleep", "100"]'
	rt run -d --bundle "$BUNDLE" "$ID"
	run rt start "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"cannot start container $ID: it is running, not created"* ]]
	run rt delete "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"cannot delete container $ID that is not stopped: running"* ]]
	[ "$(state_field "$ID" status)" = running ]
	rt delete -f "$ID"
	assert_nothing_left
}

@test "commands on a container that does not exist" {
	for cmd in state start kill delete; do
		run rt "$cmd" "$ID"
		[ "$status" -ne 0 ]
		[[ "$output" == *"container does not exist: $ID"* ]]
	done
	run rt start
	[ "$status" -ne 0 ]
	[[ "$output" == *"start: missing container id"* ]]
}

@test "a --pid-file that cannot be written: the container is undone" {
	update_config '.process.args = ["sleep", "100"]'
	run rt create --pid-file "$BUNDLE/no/such/dir/pid" --bundle "$BUNDLE" "$ID"
	assert_clean_failure "write pid file: open $BUNDLE/no/such/dir/.pid.tmp: no such file or directory"
}
