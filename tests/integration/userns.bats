#!/usr/bin/env bats
# User namespaces, as root: rt writes linux.uidMappings/gidMappings while the
# child waits, the child becomes root of the namespace, and the rootfs and
# every kind of mount still work there; files made inside belong to the
# mapped host ids.

load helpers

HOSTBASE=100000 # container id 0 is host id 100000

setup() {
	setup_bundle
	# The bundle must be reachable by the mapped root, who has no rights
	# over the host root's 0700 bats directory: move it to a 0755 one.
	USERNS_DIR=$(mktemp -d /tmp/rt-userns.XXXXXX)
	chmod 755 "$USERNS_DIR"
	mv "$BUNDLE" "$USERNS_DIR/bundle"
	BUNDLE="$USERNS_DIR/bundle"
	chmod 755 "$BUNDLE"
	# A rootfs owned by the mapped root: a chown'ed copy of busybox's.
	chown -R "$HOSTBASE:$HOSTBASE" "$BUNDLE/rootfs"
	chmod 1777 "$BUNDLE/rootfs/tmp"
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": '$HOSTBASE', "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": '$HOSTBASE', "size": 65536}]
		| .root.readonly = false'
}

teardown() {
	teardown_bundle
	if [ -n "${USERNS_DIR:-}" ] && mountpoint -q "$USERNS_DIR/src/sub"; then
		umount "$USERNS_DIR/src/sub"
	fi
	[ -n "${USERNS_DIR:-}" ] && rm -rf "$USERNS_DIR"
	return 0
}

@test "userns: root inside is the mapped host id, maps written by rt" {
	update_config '.process.args = ["sh", "-c", "id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map; touch /made-by-root; stat -c %u:%g /bin/busybox"]'
	run rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = 0 ]
	[ "$(echo "${lines[2]}" | tr -s ' ')" = " 0 $HOSTBASE 65536" ]
	[ "$(echo "${lines[3]}" | tr -s ' ')" = " 0 $HOSTBASE 65536" ]
	# The file belongs to the mapped root on the host.
	[ "$(stat -c %u:%g "$BUNDLE/rootfs/made-by-root")" = "$HOSTBASE:$HOSTBASE" ]
	# The rootfs chown'ed to the mapped root is root's inside.
	[ "${lines[4]}" = 0:0 ]
}

@test "userns: process.user inside the user namespace, files with the host's mapped ids" {
	update_config '.process.user = {"uid": 1000, "gid": 1000, "additionalGids": [20]}
		| .process.args = ["sh", "-c", "id -u; id -g; id -G; touch /tmp/made-by-1000"]'
	run rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1000 ]
	[ "${lines[1]}" = 1000 ]
	[ "${lines[2]}" = "1000 20" ]
	[ "$(stat -c %u:%g "$BUNDLE/rootfs/tmp/made-by-1000")" = "$((HOSTBASE + 1000)):$((HOSTBASE + 1000))" ]
}

@test "userns: several ranges of mappings" {
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": '$HOSTBASE', "size": 1000},
			{"containerID": 1000, "hostID": 200000, "size": 1000}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": '$HOSTBASE', "size": 10},
			{"containerID": 10, "hostID": 300000, "size": 2000}]
		| .process.user = {"uid": 1500, "gid": 1500}
		| .process.args = ["sh", "-c", "wc -l < /proc/self/uid_map; wc -l < /proc/self/gid_map; touch /tmp/f"]'
	run rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 2 ]
	[ "${lines[1]}" = 2 ]
	[ "$(stat -c %u:%g "$BUNDLE/rootfs/tmp/f")" = "200500:301490" ]
}

@test "userns: proc, sysfs, tmpfs, devpts with gid, mqueue and cgroup mounts" {
	update_config '.process.args = ["sh", "-c", "cat /proc/self/mounts; ls /sys/kernel >/dev/null && echo sys-ok; ls /sys/fs/cgroup/memory/cgroup.procs && echo cgroup-ok; touch /dev/shm/x /dev/mqueue/ && echo shm-ok"]'
	run rt run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"proc /proc proc "* ]]
	# With a network namespace of the user namespace, sysfs is mounted.
	[[ "$output" == *"sysfs /sys sysfs ro,"* ]]
	[[ "$output" == *"tmpfs /dev tmpfs "* ]]
	# devpts gid=5 is the container's gid 5: host gid 100005.
	[[ "$output" == *"devpts /dev/pts devpts "*"gid=$((HOSTBASE + 5))"* ]]
	[[ "$output" == *"mqueue /dev/mqueue mqueue "* ]]
	[[ "$output" == *"cgroup /sys/fs/cgroup/memory cgroup ro,"* ]]
	[[ "$output" == *sys-ok* ]]
	[[ "$output" == *cgroup-ok* ]]
	[[ "$output" == *shm-ok* ]]
}

@test "userns: without a network namespace, /sys is the host's, bound" {
	update_config '.linux.namespaces |= map(select(.type != "network"))
		| .process.args = ["sh", "-c", "grep \" /sys \" /proc/self/mounts; cat /sys/kernel/ostype 2>/dev/null; ls /sys/class/net"]'
	run rt run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	# A read-only bind of the host's sysfs: it shows the host's interfaces.
	[[ "${lines[0]}" == "sysfs /sys sysfs ro,"* ]]
	for dev in $(ls /sys/class/net); do
		[[ "$output" == *"$dev"* ]]
	done
}

@test "userns: /dev nodes are the host's, bind-mounted (mknod is refused in a user namespace)" {
	update_config '.process.args = ["sh", "-c", "grep \" /dev/null \" /proc/self/mounts; stat -c %t:%T /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty; echo x >/dev/null && head -c 4 /dev/zero | wc -c"]'
	run rt run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *" /dev/null devtmpfs "* ]]
	[ "${lines[1]}" = "1:3" ]
	[ "${lines[2]}" = "1:5" ]
	[ "${lines[3]}" = "1:7" ]
	[ "${lines[4]}" = "1:8" ]
	[ "${lines[5]}" = "1:9" ]
	[ "${lines[6]}" = "5:0" ]
	[ "${lines[7]}" = 4 ]
}

@test "userns: create, start, state, kill, delete" {
	update_config '.process.args = ["sleep", "100"]'
	rt create --bundle "$BUNDLE" "$ID"
	[ "$(state_field "$ID" status)" = created ]
	pid=$(state_field "$ID" pid)
	[ "$(awk '{print $2}' /proc/"$pid"/uid_map)" = "$HOSTBASE" ]
	[ "$(awk '/^Uid:/ {print $2}' /proc/"$pid"/status)" = "$HOSTBASE" ]
	rt start "$ID"
	wait_for_status "$ID" running
	rt kill "$ID" KILL
	wait_for_status "$ID" stopped
	rt delete "$ID"
	[ ! -d "$ROOT/$ID" ]
}

@test "userns: join the user namespace of another container" {
	update_config '.process.args = ["sleep", "100"]'
	rt create --bundle "$BUNDLE" "$ID"
	pid=$(state_field "$ID" pid)
	update_config '.linux.namespaces |= map(if .type == "user" then .path = "/proc/'"$pid"'/ns/user" else . end)
		| del(.linux.uidMappings, .linux.gidMappings)
		| .process.args = ["sh", "-c", "id -u; cat /proc/self/uid_map; readlink /proc/self/ns/user"]'
	run rt run --bundle "$BUNDLE" "$ID-2"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[ "$(echo "${lines[1]}" | tr -s ' ')" = " 0 $HOSTBASE 65536" ]
	[ "${lines[2]}" = "$(readlink /proc/"$pid"/ns/user)" ]
}

@test "userns: with a time namespace (the child unshares and asks for its maps)" {
	update_config '.linux.namespaces += [{"type": "time"}]
		| .linux.timeOffsets = {"monotonic": {"secs": 86400, "nanosecs": 0}}
		| .process.args = ["sh", "-c", "id -u; cat /proc/self/uid_map; touch /tmp/t"]'
	run rt run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[ "$(echo "${lines[1]}" | tr -s ' ')" = " 0 $HOSTBASE 65536" ]
	[ "$(stat -c %u "$BUNDLE/rootfs/tmp/t")" = "$HOSTBASE" ]
}

@test "userns: a mapping that does not cover process.user or root is refused, nothing left" {
	update_config '.process.user.uid = 70000'
	run rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.uidMappings: no mapping covers process.user.uid 70000"* ]]
	[ ! -e "$ROOT/$ID" ]
	[ ! -e /sys/fs/cgroup/memory/"$ID" ]

	update_config '.process.user.uid = 0
		| .linux.gidMappings = [{"containerID": 1, "hostID": '$HOSTBASE', "size": 100}]
		| .process.user.gid = 1'
	run rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.gidMappings: no mapping for id 0"* ]]

	update_config '.linux.gidMappings = [{"containerID": 0, "hostID": '$HOSTBASE', "size": 100}]
		| .linux.uidMappings = []'
	run rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.uidMappings: a new user namespace needs uidMappings and gidMappings"* ]]
	[ ! -e "$ROOT/$ID" ]
}

# idmap_src: a host dir with a file of uid/gid 1000 and one of root.
idmap_src() {
	IDMAP_SRC="$USERNS_DIR/src"
	mkdir "$IDMAP_SRC"
	touch "$IDMAP_SRC/by-1000" "$IDMAP_SRC/by-root"
	chown 1000:1000 "$IDMAP_SRC/by-1000"
}

@test "idmapped mount: a host dir of uid 1000 appears as root's, next to a plain bind of it" {
	idmap_src
	update_config '.linux.namespaces |= map(select(.type != "user")) | del(.linux.uidMappings, .linux.gidMappings)
		| .mounts += [{"destination": "/idmapped", "source": "'"$IDMAP_SRC"'", "options": ["bind", "idmap"],
			"uidMappings": [{"containerID": 1000, "hostID": 0, "size": 1}],
			"gidMappings": [{"containerID": 1000, "hostID": 0, "size": 1}]},
			{"destination": "/plain", "source": "'"$IDMAP_SRC"'", "options": ["bind"]}]
		| .process.args = ["sh", "-c", "stat -c %n=%u:%g /idmapped/by-1000 /plain/by-1000 /idmapped/by-root; ls /proc/self/fd | wc -l"]'
	run rt run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "/idmapped/by-1000=0:0" ]
	# The mount's fd did not reach the container: stdio and ls's own dir only.
	[ "${lines[3]}" = 4 ]
	[ "${lines[1]}" = "/plain/by-1000=1000:1000" ]
	# Host root is outside the mount's mapping: the overflow id.
	[ "${lines[2]}" = "/idmapped/by-root=$(cat /proc/sys/kernel/overflowuid):$(cat /proc/sys/kernel/overflowgid)" ]
	# The mount is gone with the container; the host dir is untouched.
	[ "$(stat -c %u "$IDMAP_SRC/by-1000")" = 1000 ]
}

@test "idmapped mount: idmap with the container's own mappings, files made inside are the host's root's" {
	idmap_src
	update_config '.mounts += [{"destination": "/idmapped", "source": "'"$IDMAP_SRC"'", "options": ["bind", "idmap"]},
			{"destination": "/plain", "source": "'"$IDMAP_SRC"'", "options": ["bind"]}]
		| .process.args = ["sh", "-c", "stat -c %n=%u /idmapped/by-root /plain/by-root; touch /idmapped/made-inside"]'
	run rt run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	# Through the idmap, host root is the container's root; without it, nobody.
	[ "${lines[0]}" = "/idmapped/by-root=0" ]
	[ "${lines[1]}" = "/plain/by-root=$(cat /proc/sys/kernel/overflowuid)" ]
	[ "$(stat -c %u:%g "$IDMAP_SRC/made-inside")" = 0:0 ]
}

@test "idmapped mount: ridmap maps the submounts of an rbind too" {
	idmap_src
	mkdir "$IDMAP_SRC/sub"
	mount -t tmpfs -o mode=755,uid=1000,gid=1000 rt-idmap-test "$IDMAP_SRC/sub"
	update_config '.linux.namespaces |= map(select(.type != "user")) | del(.linux.uidMappings, .linux.gidMappings)
		| .mounts += [{"destination": "/r", "source": "'"$IDMAP_SRC"'", "options": ["rbind", "ridmap"],
			"uidMappings": [{"containerID": 1000, "hostID": 5000, "size": 1}],
			"gidMappings": [{"containerID": 1000, "hostID": 6000, "size": 1}]},
			{"destination": "/t", "source": "'"$IDMAP_SRC"'", "options": ["rbind", "idmap"],
			"uidMappings": [{"containerID": 1000, "hostID": 5000, "size": 1}],
			"gidMappings": [{"containerID": 1000, "hostID": 6000, "size": 1}]}]
		| .process.args = ["sh", "-c", "stat -c %n=%u:%g /r/by-1000 /r/sub /t/by-1000 /t/sub"]'
	run rt run --bundle "$BUNDLE" "$ID"
	umount "$IDMAP_SRC/sub"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "/r/by-1000=5000:6000" ]
	[ "${lines[1]}" = "/r/sub=5000:6000" ]
	# idmap (not ridmap): only the top mount of the rbind is mapped.
	[ "${lines[2]}" = "/t/by-1000=5000:6000" ]
	[ "${lines[3]}" = "/t/sub=1000:1000" ]
}

@test "idmapped mount: bad requests are refused with the mount's field, nothing left" {
	idmap_src
	update_config '.mounts += [{"destination": "/x", "type": "tmpfs", "source": "tmpfs", "options": ["idmap"]}]'
	run rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"mounts[7].options: an idmapped mount must be a bind mount"* ]]

	update_config '.mounts[7] = {"destination": "/x", "source": "'"$IDMAP_SRC"'", "options": ["bind"],
		"uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}]}'
	run rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"mounts[7].gidMappings: missing"* ]]

	update_config '.linux.namespaces |= map(select(.type != "user")) | del(.linux.uidMappings, .linux.gidMappings)
		| .mounts[7] = {"destination": "/x", "source": "'"$IDMAP_SRC"'", "options": ["bind", "idmap"]}'
	run rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"mounts[7].options: idmap without uidMappings and gidMappings takes the container's user namespace mappings, and there are none"* ]]
	[ ! -e "$ROOT/$ID" ]
}
