#!/usr/bin/env bats
# The container's filesystem: mounts of every kind and their options,
# propagation, /dev, linux.devices, pivot_root and --no-pivot, a read-only
# root, masked and read-only paths, hostname and domainname.

load helpers

setup() {
	setup_bundle
	HOSTDIR=$(mktemp -d "$BATS_RUN_TMPDIR/host.XXXXXX")
}

teardown() {
	teardown_bundle
	if [ -n "${SHARED:-}" ]; then
		umount -R "$SHARED" 2>/dev/null
		rmdir "$SHARED"
	fi
	umount "$HOSTDIR/sub" "$HOSTDIR/merged" 2>/dev/null
	rm -rf "$HOSTDIR"
}

# add_mount JSON: append a mount to config.json.
add_mount() {
	update_config ".mounts += [$1]"
}

@test "default mounts: proc, sysfs, devpts, mqueue, shm, cgroup; the default devices and links" {
	run_ok 'for m in /proc /sys /dev /dev/pts /dev/mqueue /dev/shm /sys/fs/cgroup; do
			awk -v m=$m "\$2 == m {print \$2, \$3}" /proc/mounts; done
		for d in null zero full random urandom tty; do stat -c "%n %F %t,%T %a" /dev/$d; done
		for l in ptmx fd stdin stdout stderr; do echo "/dev/$l -> $(readlink /dev/$l)"; done
		stat -c "%n %a" /dev/shm'
	local want
	want=$(cat <<-EOF
	/proc proc
	/sys sysfs
	/dev tmpfs
	/dev/pts devpts
	/dev/mqueue mqueue
	/dev/shm tmpfs
	/sys/fs/cgroup tmpfs
	/dev/null character special file 1,3 666
	/dev/zero character special file 1,5 666
	/dev/full character special file 1,7 666
	/dev/random character special file 1,8 666
	/dev/urandom character special file 1,9 666
	/dev/tty character special file 5,0 666
	/dev/ptmx -> pts/ptmx
	/dev/fd -> /proc/self/fd
	/dev/stdin -> /proc/self/fd/0
	/dev/stdout -> /proc/self/fd/1
	/dev/stderr -> /proc/self/fd/2
	/dev/shm 1777
	EOF
	)
	[ "$output" = "$want" ]
}

@test "linux.devices: char, block and fifo nodes with their major, minor, mode, uid and gid" {
	update_config '.linux.devices = [{"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3, "fileMode": 416, "uid": 7, "gid": 8},
		{"path": "/dev/sub/myblk", "type": "b", "major": 7, "minor": 0}, {"path": "/dev/myfifo", "type": "p"}] |
		.process.user = {"uid": 7, "gid": 9}' # the owner may write; the default caps hold no DAC override
	run_ok 'stat -c "%F %t,%T %a %u:%g" /dev/mynull /dev/sub/myblk; stat -c %F /dev/myfifo; echo data >/dev/mynull && echo writable'
	[ "${lines[0]}" = "character special file 1,3 640 7:8" ]
	[ "${lines[1]}" = "block special file 7,0 666 0:0" ]
	[ "${lines[2]}" = fifo ]
	[ "${lines[3]}" = writable ]
}

@test "bind: ro, nosuid, nodev, noexec on the mount; rbind takes submounts" {
	echo hello >"$HOSTDIR/file"
	mkdir "$HOSTDIR/sub"
	mount -t tmpfs -o size=1m tmpfs "$HOSTDIR/sub"
	echo inner >"$HOSTDIR/sub/inner"
	add_mount "{\"destination\": \"/b\", \"type\": \"bind\", \"source\": \"$HOSTDIR\", \"options\": [\"rbind\", \"ro\", \"nosuid\", \"nodev\", \"noexec\"]},
		{\"destination\": \"/nb\", \"type\": \"bind\", \"source\": \"$HOSTDIR\", \"options\": [\"bind\"]},
		{\"destination\": \"/f\", \"type\": \"bind\", \"source\": \"$HOSTDIR/file\", \"options\": [\"bind\", \"ro\"]}"
	update_config '.process.args = ["sh", "-c", "cat /b/file /b/sub/inner /f; awk \"\\$5 == \\\"/b\\\" {print \\$6}\" /proc/self/mountinfo | tr , \"\\n\" | grep -xE \"ro|nosuid|nodev|noexec\" | sort | tr \"\\n\" \" \"; echo; touch /b/x 2>&1; ls /nb/sub | wc -l"]'
	run rt run --bundle "$BUNDLE" "$ID"
	umount "$HOSTDIR/sub"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = hello ]
	[ "${lines[1]}" = inner ] # rbind: the submount came along
	[ "${lines[2]}" = hello ] # a file bind
	[ "${lines[3]}" = "nodev noexec nosuid ro " ]
	[[ "${lines[4]}" == *"Read-only file system"* ]]
	[ "${lines[5]}" = 0 ] # bind without r: no submount
	[ ! -e "$HOSTDIR/x" ]
}

@test "bind: atime options and nosymfollow on the mount; rro and rnosuid on every submount" {
	echo hello >"$HOSTDIR/file"
	ln -s file "$HOSTDIR/link"
	mkdir "$HOSTDIR/sub"
	mount -t tmpfs -o size=1m tmpfs "$HOSTDIR/sub"
	add_mount "{\"destination\": \"/a\", \"type\": \"bind\", \"source\": \"$HOSTDIR\", \"options\": [\"bind\", \"noatime\", \"nodiratime\", \"nosymfollow\"]},
		{\"destination\": \"/s\", \"type\": \"bind\", \"source\": \"$HOSTDIR\", \"options\": [\"bind\", \"strictatime\"]},
		{\"destination\": \"/r\", \"type\": \"bind\", \"source\": \"$HOSTDIR\", \"options\": [\"rbind\", \"rro\", \"rnosuid\"]}"
	run_ok 'opts() { echo "$1: $(awk -v m="$1" "\$5 == m {print \$6}" /proc/self/mountinfo | tr , "\n" | grep -xE "$2" | sort | tr "\n" " ")"; }
		opts /a "noatime|nodiratime|nosymfollow|relatime"
		opts /s "noatime|relatime"
		opts /r "ro|nosuid"
		opts /r/sub "ro|nosuid"
		cat /a/link 2>&1 || true
		cat /s/link
		touch /r/sub/x 2>&1 || true'
	umount "$HOSTDIR/sub"
	[ "${lines[0]}" = "/a: noatime nodiratime nosymfollow " ]
	[ "${lines[1]}" = "/s: " ] # strictatime: neither relatime nor noatime
	[ "${lines[2]}" = "/r: nosuid ro " ]
	[ "${lines[3]}" = "/r/sub: nosuid ro " ] # the submount too
	[[ "${lines[4]}" == *"Too many levels of symbolic links"* ]]
	[ "${lines[5]}" = hello ]
	[[ "${lines[6]}" == *"Read-only file system"* ]]
}

@test "tmpfs with size and mode; noexec refuses to run a program" {
	add_mount '{"destination": "/t", "type": "tmpfs", "source": "tmpfs", "options": ["size=512k", "mode=1750", "noexec"]}'
	run_ok 'stat -c %a /t; df -k /t | awk "NR==2 {print \$2}"; printf "#!/bin/sh\necho ran\n" >/t/s; chmod +x /t/s; /t/s 2>&1 || echo refused'
	[ "${lines[0]}" = 1750 ]
	[ "${lines[1]}" = 512 ]
	[[ "${lines[2]}" == *"Permission denied"* ]]
	[ "${lines[3]}" = refused ]
}

@test "overlay: two lower dirs and an upper; the container sees the union, writes land in upper" {
	mkdir -p "$HOSTDIR"/{lower1,lower2,upper,work}
	echo one >"$HOSTDIR/lower1/a"
	echo low >"$HOSTDIR/lower1/b"
	echo two >"$HOSTDIR/lower2/b"
	add_mount "{\"destination\": \"/o\", \"type\": \"overlay\", \"source\": \"overlay\",
		\"options\": [\"lowerdir=$HOSTDIR/lower2:$HOSTDIR/lower1\", \"upperdir=$HOSTDIR/upper\", \"workdir=$HOSTDIR/work\"]}"
	run_ok 'cat /o/a /o/b; echo new >/o/c; echo changed >/o/a; ls /o | tr "\n" " "'
	[ "$output" = $'one\ntwo\na b c ' ]
	[ "$(cat "$HOSTDIR/upper/c")" = new ]
	[ "$(cat "$HOSTDIR/upper/a")" = changed ]
	[ "$(cat "$HOSTDIR/lower1/a")" = one ]
	[ ! -e "$HOSTDIR/lower1/c" ] && [ ! -e "$HOSTDIR/lower2/c" ]
}

@test "a layered rootfs: overlay on / from two lower dirs" {
	mkdir -p "$HOSTDIR"/{base,layer,upper,work,merged}
	cp -a "$BUNDLE/rootfs/." "$HOSTDIR/base/"
	echo from-layer >"$HOSTDIR/layer/layer-file"
	mount -t overlay overlay -o "lowerdir=$HOSTDIR/layer:$HOSTDIR/base,upperdir=$HOSTDIR/upper,workdir=$HOSTDIR/work" "$HOSTDIR/merged"
	update_config ".root = {\"path\": \"$HOSTDIR/merged\", \"readonly\": false}"
	update_config '.process.args = ["sh", "-c", "cat /layer-file; echo w >/written; test -x /bin/busybox && echo base"]'
	run rt run --bundle "$BUNDLE" "$ID"
	umount "$HOSTDIR/merged"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = $'from-layer\nbase' ]
	[ "$(cat "$HOSTDIR/upper/written")" = w ]
	[ ! -e "$HOSTDIR/base/written" ]
}

@test "root.readonly: / is read-only; false: writable" {
	run_ok 'touch /x 2>&1 || echo refused; touch /tmp/y 2>&1 || echo refused'
	[ "${lines[1]}" = refused ]
	[ "${lines[3]}" = refused ]
	update_config '.root.readonly = false'
	run_ok 'touch /x && echo wrote'
	[ "$output" = wrote ]
	[ -e "$BUNDLE/rootfs/x" ]
}

@test "pivot_root and --no-pivot: / is the rootfs, the host's root is gone" {
	touch "$BUNDLE/rootfs/marker"
	# The root mount's root is the bundle's rootfs; the host's tmp dir is not reachable.
	run_ok "ls /marker; awk '\$5 == \"/\" {print \$4}' /proc/self/mountinfo; test -e '$BATS_RUN_TMPDIR' && echo host-visible || echo host-gone"
	[ "$output" = "$(printf '/marker\n%s\nhost-gone' "$BUNDLE/rootfs")" ]
	run rt run --no-pivot --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '/marker\n%s\nhost-gone' "$BUNDLE/rootfs")" ]
}

@test "maskedPaths and readonlyPaths" {
	mkdir "$BUNDLE/rootfs/secret"
	echo s >"$BUNDLE/rootfs/secret/file"
	echo s >"$BUNDLE/rootfs/secretfile"
	update_config '.linux.maskedPaths = ["/secret", "/secretfile", "/proc/kcore", "/does/not/exist"] | .linux.readonlyPaths = ["/proc/sys", "/tmp"] | .root.readonly = false'
	# A masked file reads empty and swallows writes; a masked dir is empty.
	run_ok 'ls /secret | wc -l; echo x >/secretfile; wc -c </secretfile; echo x >/proc/sys/kernel/hostname 2>&1 || echo refused; touch /tmp/z 2>&1 || echo refused; touch /ok && echo rest-writable'
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = 0 ]
	[[ "${lines[2]}" == *"Read-only file system"* ]]
	[ "${lines[3]}" = refused ]
	[[ "${lines[4]}" == *"Read-only file system"* ]]
	[ "${lines[5]}" = refused ]
	[ "${lines[6]}" = rest-writable ]
	[ "$(cat "$BUNDLE/rootfs/secretfile")" = s ]
}

@test "hostname and domainname" {
	update_config '.hostname = "box" | .domainname = "example.org"'
	run_ok 'hostname; cat /proc/sys/kernel/domainname'
	[ "$output" = $'box\nexample.org' ]
}

# shared_dir: $SHARED, a tmpfs with shared propagation bound into the
# container at /s; run_prop PROPAGATION starts a container with it.
shared_dir() {
	SHARED=$(mktemp -d "$BATS_RUN_TMPDIR/shared.XXXXXX")
	mount -t tmpfs -o size=1m tmpfs "$SHARED"
	mount --make-shared "$SHARED"
	mkdir "$SHARED/sub"
	add_mount "{\"destination\": \"/s\", \"type\": \"bind\", \"source\": \"$SHARED\", \"options\": [\"rbind\"]}"
	update_config '.process.args = ["sleep", "100"]'
}

# host_mount_seen: mount a tmpfs on $SHARED/sub on the host; is it in the container?
host_mount_seen() {
	local pid seen=0
	pid=$(state_field "$ID" pid)
	mount -t tmpfs -o size=1m tmpfs "$SHARED/sub"
	grep -q " /s/sub " "/proc/$pid/mountinfo" && seen=1
	umount "$SHARED/sub"
	[ "$seen" = 1 ]
}

@test "rootfsPropagation: rslave (default) receives host mounts, rprivate does not" {
	shared_dir
	rt run -d --bundle "$BUNDLE" "$ID"
	host_mount_seen
	rt delete -f "$ID"
	update_config '.linux.rootfsPropagation = "rprivate"'
	rt run -d --bundle "$BUNDLE" "$ID"
	! host_mount_seen
}

@test "rootfsPropagation rshared: the container starts (pivot_root needs a private root) and shares" {
	shared_dir
	update_config '.linux.rootfsPropagation = "rshared"'
	rt run -d --bundle "$BUNDLE" "$ID"
	pid=$(state_field "$ID" pid)
	awk '$5 == "/" {print $7}' "/proc/$pid/mountinfo" | grep -q '^shared:'
	host_mount_seen
}

@test "per-mount propagation: a private bind does not receive host mounts" {
	shared_dir
	update_config '.mounts[-1].options = ["rbind", "rprivate"]'
	rt run -d --bundle "$BUNDLE" "$ID"
	! host_mount_seen
}
