#!/usr/bin/env bats
# rt's own hardening: every test here attacks a container runtime the way
# published exploits did (runc CVE-2019-5736, CVE-2024-21626, the rootfs
# symlink CVEs) and checks that the attack fails and the host is untouched.

load helpers

setup_file() {
	# A static attacker (testdata/exe_attack.c), built once for the file.
	gcc -static -O2 -o "$BATS_FILE_TMPDIR/attack" "$BATS_TEST_DIRNAME/testdata/exe_attack.c"
}

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

# install_attacker: put the attacker in the rootfs at /attack and as the
# dynamic loader that rt's binary names, so that the kernel runs it whenever
# the container makes it exec rt's host binary.
install_attacker() {
	cp "$BATS_FILE_TMPDIR/attack" "$BUNDLE/rootfs/attack"
	local interp
	interp=$(readelf -p .interp "$RT" 2>/dev/null | sed -n 's/^ *\[ *0\] *//p')
	if [ -n "$interp" ]; then
		mkdir -p "$BUNDLE/rootfs$(dirname "$interp")"
		cp "$BATS_FILE_TMPDIR/attack" "$BUNDLE/rootfs$interp"
	fi
}

# attack_exe ARGS: run a container with process.args ARGS through a copy of
# rt (the victim) released by `rt start`, so that when the attacker tries to
# write, no rt process on the host is running the binary. Sets $VICTIM, $BEFORE
# (its sha256) and $OUT (the container's output).
attack_exe() {
	VICTIM="$BATS_TEST_TMPDIR/rt"
	cp "$RT" "$VICTIM"
	BEFORE=$(sha256sum <"$VICTIM")
	install_attacker
	update_config ".process.args = $1"
	"$VICTIM" --root "$ROOT" create --bundle "$BUNDLE" "$ID" >"$BUNDLE/out" 2>&1
	"$VICTIM" --root "$ROOT" start "$ID"
	# The attacker, if it ever runs, tries for 10 s.
	local i
	for i in $(seq 1 300); do
		[ "$(state_field "$ID" status)" = stopped ] && break
		sleep 0.05
	done
	OUT=$(cat "$BUNDLE/out")
	echo "$OUT"
}

@test "exe: a container whose program is /proc/self/exe cannot overwrite rt's binary" {
	attack_exe '["/proc/self/exe"]'
	[ "$(sha256sum <"$VICTIM")" = "$BEFORE" ]
	[[ "$OUT" != *overwrite=ok* ]]
	# The kernel found the exec stub, not rt, behind /proc/self/exe.
	[[ "$OUT" == *"exec'd rt's exec stub (/proc/self/exe): refused"* ]]
}

@test "exe: nor can a #!/proc/self/exe script" {
	printf '#!/proc/self/exe\n' >"$BUNDLE/rootfs/evil.sh"
	chmod +x "$BUNDLE/rootfs/evil.sh"
	attack_exe '["/evil.sh"]'
	[ "$(sha256sum <"$VICTIM")" = "$BEFORE" ]
	[[ "$OUT" != *overwrite=ok* ]]
	[[ "$OUT" == *"refused"* ]]
}

@test "exe: the exec stub reports a program that fails to exec, as rt did without it" {
	printf 'not a program\n' >"$BUNDLE/rootfs/bad"
	chmod +x "$BUNDLE/rootfs/bad"
	update_config '.process.args = ["/bad"]'
	run rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *'exec "/bad"'*"exec format error"* ]]
	[ ! -e "$ROOT/$ID" ]
}

# runc's exec trampoline (runc-dmz) changed capabilities across its second
# execve for some non-root configurations (runc#4125); rt's stub must not.
@test "exe: the program gets the configured capabilities through the exec stub" {
	mkdir "$BUNDLE/rootfs/capbin" # busybox runs the applet its name says
	cp "$BUNDLE/rootfs/bin/busybox" "$BUNDLE/rootfs/capbin/grep"
	setcap 'cap_net_bind_service+ei cap_kill+ep' "$BUNDLE/rootfs/capbin/grep"
	caps='{"bounding": ["CAP_NET_BIND_SERVICE", "CAP_KILL", "CAP_NET_RAW"], "effective": ["CAP_NET_BIND_SERVICE"],
		"permitted": ["CAP_NET_BIND_SERVICE"], "inheritable": ["CAP_NET_BIND_SERVICE"], "ambient": ["CAP_NET_BIND_SERVICE"]}'
	caps_of() { # caps_of UID PROGRAM: the Cap lines of PROGRAM run as UID
		update_config ".process.capabilities = $caps | .process.user.uid = $1 | .process.user.gid = $1 |
			.process.noNewPrivileges = false | .process.args = [\"$2\", \"Cap\", \"/proc/self/status\"]"
		run rt run --bundle "$BUNDLE" "$ID"
		[ "$status" -eq 0 ]
		echo "$output" | tr -s '\t\n' '  '
	}
	# Inh, Prm, Eff, Bnd, Amb as the kernel computes them for one execve.
	[ "$(caps_of 1000 /bin/grep)" = "CapInh: 0000000000000400 CapPrm: 0000000000000400 CapEff: 0000000000000400 CapBnd: 0000000000002420 CapAmb: 0000000000000400 " ]
	[ "$(caps_of 1000 /capbin/grep)" = "CapInh: 0000000000000400 CapPrm: 0000000000000420 CapEff: 0000000000000420 CapBnd: 0000000000002420 CapAmb: 0000000000000000 " ]
	[ "$(caps_of 0 /bin/grep)" = "CapInh: 0000000000000400 CapPrm: 0000000000002420 CapEff: 0000000000002420 CapBnd: 0000000000002420 CapAmb: 0000000000000400 " ]
}

# vm.memfd_noexec is per pid namespace: 2 in a scratch one leaves the host's alone.
@test "exe: where vm.memfd_noexec=2 forbids the stub's memfd, rt says so and leaves nothing" {
	run unshare --pid --fork --mount-proc sh -c 'echo 2 >/proc/sys/vm/memfd_noexec && exec "$@"' _ \
		"$RT" --root "$ROOT" run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"create the exec stub: vm.memfd_noexec=2 forbids executable memfds: permission denied"* ]]
	[ ! -e "$ROOT/$ID" ]
}

# A second container in the pid namespace of a created (waiting) one sees its
# init, still a clone of rt: it must not get at rt's binary, memory or fds.
@test "the waiting init is not dumpable: no exe, environ, mem, cwd, ptrace or fds for the container" {
	install_attacker
	update_config '.process.args = ["true"] | .process.env += ["SECRET=hunter2"]'
	rt create --bundle "$BUNDLE" "$ID"
	pid=$(state_field "$ID" pid)
	B="$BATS_TEST_TMPDIR/b"
	mkdir "$B"
	ln -s "$BUNDLE/rootfs" "$B/rootfs"
	jq --arg ns "/proc/$pid/ns/pid" '.process.args = ["/attack", "probe", "1"] |
		(.linux.namespaces[] | select(.type == "pid")) .path = $ns' "$BUNDLE/config.json" >"$B/config.json"
	run rt run --bundle "$B" "$ID-b"
	echo "$output"
	[ "$status" -eq 0 ]
	for what in open-exe open-environ open-mem open-path-exe readlink-exe readlink-cwd readlink-root ptrace pidfd_getfd; do
		line=$(grep "^$what=" <<<"$output")
		[ -n "$line" ]
		[ "$line" != "$what=ok" ]
	done
	[[ "$output" != *hunter2* ]]
}

@test "fds: the container gets only stdio, whatever rt's caller has open" {
	install_attacker
	update_config '.process.args = ["/attack", "fds"]'
	exec 7</etc/hostname 8>"$BATS_TEST_TMPDIR/w" 9<"$BUNDLE"
	run rt run --bundle "$BUNDLE" "$ID"
	exec 7<&- 8>&- 9<&-
	[ "$status" -eq 0 ]
	[ "$output" = "fds=0 1 2 " ]
}

@test "fds: --preserve-fds passes exactly 3 .. 3+N-1" {
	install_attacker
	update_config '.process.args = ["/attack", "fds"]'
	exec 5</etc/hostname
	run rt run --preserve-fds 2 --bundle "$BUNDLE" "$ID" 3</etc/hostname 4</etc/hostname
	exec 5<&-
	[ "$status" -eq 0 ]
	[ "$output" = "fds=0 1 2 3 4 " ]
}

@test "fds: a large --preserve-fds passes the caller's fds only, never rt's own" {
	install_attacker
	update_config '.process.args = ["/attack", "fds"]'
	# The shell lists its fds, then becomes rt with exactly those.
	run bash -c 'echo "caller=$(ls /proc/$$/fd | sort -n | tr "\n" " ")"; exec "$@"' _ \
		"$RT" --root "$ROOT" run --preserve-fds 40 --bundle "$BUNDLE" "$ID" 3</etc/hostname
	echo "$output"
	[ "$status" -eq 0 ]
	caller=" $(sed -n 's/^caller=//p' <<<"$output")"
	container=$(sed -n 's/^fds=//p' <<<"$output")
	[ -n "$container" ]
	for fd in $container; do
		[[ "$caller" == *" $fd "* ]]
	done
}

# runc CVE-2024-21626: a cwd of /proc/self/fd/N, for an fd the runtime
# still holds, put the container's cwd in the host's filesystem.
@test "cwd: process.cwd /proc/self/fd/N (any N rt may hold) never lands outside the rootfs" {
	exec 7<"$BATS_TEST_TMPDIR"
	for n in 3 4 5 6 7 8 9 10 11 12; do
		update_config ".process.cwd = \"/proc/self/fd/$n\" | .process.args = [\"sh\", \"-c\", \"pwd -P; ls\"]"
		run rt run --bundle "$BUNDLE" "$ID"
		echo "$n: $status $output"
		if [ "$status" -eq 0 ]; then
			[[ "$output" == /* && "$output" != *unreachable* ]]
		else
			[[ "$output" == *"process.cwd /proc/self/fd/$n (made if missing, as runc does): chdir to /proc/self/fd/$n"* ]]
		fi
		[ ! -e "$ROOT/$ID" ]
	done
	exec 7<&-
}

@test "cwd: a rootfs symlink to /proc/self/fd/N or out of the root is followed inside the root" {
	run_cwd() {
		update_config ".process.cwd = \"$1\" | .process.args = [\"sh\", \"-c\", \"pwd -P; readlink /proc/self/cwd\"]"
		run rt run --bundle "$BUNDLE" "$ID"
		echo "$1: $status $output"
	}
	exec 7<"$BATS_TEST_TMPDIR"
	for n in 3 4 5 6 7 8; do
		ln -sfn "/proc/self/fd/$n" "$BUNDLE/rootfs/fdcwd"
		run_cwd /fdcwd
		[ "$status" -ne 0 ]
		[[ "$output" == *"process.cwd /fdcwd (made if missing, as runc does): chdir to /fdcwd: "* ]]
	done
	exec 7<&-
	# ../../.. and an absolute host path resolve at the rootfs's /.
	mkdir "$BATS_TEST_TMPDIR/hostdir"
	ln -s ../../../../../../.."$BATS_TEST_TMPDIR/hostdir" "$BUNDLE/rootfs/up"
	ln -s "$BATS_TEST_TMPDIR/hostdir" "$BUNDLE/rootfs/abs"
	# Dangling inside the root: refused (rt does not create through a symlink).
	for link in /up /abs; do
		run_cwd $link
		[ "$status" -ne 0 ]
		[[ "$output" == *"process.cwd $link (made if missing, as runc does): chdir to $link: no such file or directory"* ]]
	done
	mkdir -p "$BUNDLE/rootfs$BATS_TEST_TMPDIR/hostdir"
	touch "$BUNDLE/rootfs$BATS_TEST_TMPDIR/hostdir/inside"
	for link in /up /abs; do
		update_config ".process.cwd = \"$link\" | .process.args = [\"ls\"]"
		run rt run --bundle "$BUNDLE" "$ID"
		[ "$status" -eq 0 ]
		[ "$output" = inside ]
	done
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/hostdir")" ]
}

# host_untouched: the host directory $HOSTDIR is still empty, $HOSTFILE still
# says "host", and the host's mount table names nothing of this test.
host_untouched() {
	[ -z "$(ls -A "$HOSTDIR")" ]
	[ "$(cat "$HOSTFILE")" = host ]
	! grep -F "$BATS_TEST_TMPDIR" /proc/self/mountinfo
	[ "$(wc -l </proc/self/mountinfo)" -eq "$MOUNTS" ]
}

# host_targets: $HOSTDIR (empty) and $HOSTFILE on the host, which rootfs symlinks name.
host_targets() {
	HOSTDIR="$BATS_TEST_TMPDIR/hostdir"
	HOSTFILE="$BATS_TEST_TMPDIR/hostfile"
	mkdir "$HOSTDIR"
	echo host >"$HOSTFILE"
	MOUNTS=$(wc -l </proc/self/mountinfo)
}

@test "mounts: a destination through a symlink out of the rootfs stays in the rootfs, or is refused" {
	host_targets
	R="$BUNDLE/rootfs"
	mkdir -p "$R/x"
	ln -s "$HOSTDIR" "$R/abs"                   # absolute, to a host directory
	ln -s "../../../../../../..$HOSTDIR" "$R/up" # relative, climbing out
	ln -s / "$R/x/root"                         # "/" from a subdirectory
	mount_through() { # mount_through DEST: run with a tmpfs on DEST that the program writes in
		update_config ".mounts += [{\"destination\": \"$1\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}] |
			.process.args = [\"sh\", \"-c\", \"touch $1/written && grep -c ' $HOSTDIR/m ' /proc/self/mountinfo\"]"
		run rt run --bundle "$BUNDLE" "$ID"
		echo "$1: $status $output"
		update_config 'del(.mounts[-1])'
	}
	# The symlink dangles inside the rootfs: refused, nothing created.
	for dest in /abs/m /up/m; do
		mount_through $dest
		[ "$status" -ne 0 ]
		[[ "$output" == *"(tmpfs on $dest): open mount target $dest: no such file or directory"* ]]
		host_untouched
	done
	[ ! -e "$R$HOSTDIR" ]
	# Through "/" of the rootfs, the missing directories are made in the rootfs.
	mount_through "/x/root$HOSTDIR/m"
	[ "$status" -eq 0 ]
	[ "$output" = 1 ]
	[ -d "$R$HOSTDIR/m" ]
	host_untouched
	# And now that the symlinks' targets exist inside the rootfs, mounts land there.
	for dest in /abs/m /up/m; do
		mount_through $dest
		[ "$status" -eq 0 ]
		[ "$output" = 1 ]
		host_untouched
	done
}

@test "mounts: a bind mount through a symlinked /etc lands in the rootfs" {
	host_targets
	R="$BUNDLE/rootfs"
	mkdir -p "$R$HOSTDIR" "$BATS_TEST_TMPDIR/src"
	echo from-src >"$BATS_TEST_TMPDIR/src/file"
	mv "$R/etc" "$R/etc.real"
	ln -s "$HOSTDIR" "$R/etc"
	update_config ".mounts += [{\"destination\": \"/etc/x\", \"type\": \"bind\", \"source\": \"$BATS_TEST_TMPDIR/src\", \"options\": [\"rbind\"]}] |
		.process.args = [\"cat\", \"/etc/x/file\"]"
	run rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ "$output" = from-src ]
	[ -d "$R$HOSTDIR/x" ]
	host_untouched
}

@test "mounts: /dev and /proc symlinked to host directories are mounted inside the rootfs" {
	host_targets
	R="$BUNDLE/rootfs"
	rmdir "$R/dev" "$R/proc"
	ln -s "$HOSTDIR" "$R/dev"
	ln -s "../../../..$BATS_TEST_TMPDIR/hostproc" "$R/proc"
	mkdir -p "$R$HOSTDIR" "$R$BATS_TEST_TMPDIR/hostproc" "$BATS_TEST_TMPDIR/hostproc"
	update_config '.process.args = ["sh", "-c", "echo x >/dev/null && ls /dev/null /dev/pts /dev/shm && test -r /proc/self/status && wc -c </proc/keys"]'
	run rt run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = 0 ] # masked through the symlink too
	host_untouched
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/hostproc")" ]
}

@test "devices: /dev/null a symlink to a host file is replaced by the device, the host file untouched" {
	host_targets
	R="$BUNDLE/rootfs"
	ln -s "$HOSTFILE" "$R/dev/null"
	ln -s "$HOSTFILE" "$R/dev/zero"
	# No tmpfs on /dev: rt makes the nodes in the rootfs's own /dev.
	update_config 'del(.mounts[] | select(.destination == "/dev" or .destination == "/dev/pts" or .destination == "/dev/shm" or .destination == "/dev/mqueue")) |
		.root.readonly = false |
		.process.args = ["sh", "-c", "echo pwned >/dev/null; echo pwned >/dev/zero; ls -l /dev/null /dev/zero"]'
	run rt run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == c* && "${lines[1]}" == c* ]]
	host_untouched
}

@test "maskedPaths and readonlyPaths that are symlinks to host paths do not touch the host" {
	host_targets
	R="$BUNDLE/rootfs"
	ln -s "$HOSTFILE" "$R/maskfile"
	ln -s "$HOSTDIR" "$R/maskdir"
	ln -s "../../../..$HOSTDIR" "$R/rodir"
	mkdir -p "$R$HOSTDIR"
	echo inside >"$R$HOSTDIR/f"
	update_config '.linux.maskedPaths += ["/maskfile", "/maskdir"] | .linux.readonlyPaths += ["/rodir"] | .root.readonly = false |
		.process.args = ["sh", "-c", "ls -l /maskfile; cat /rodir/f; echo w >/rodir/f && echo WROTE"]'
	run rt run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -ne 0 ] || [[ "$output" != *WROTE* ]]
	[[ "$output" == *inside* ]]
	[[ "$output" != *WROTE* ]]
	host_untouched
}

# runc CVE-2025-31133: masking binds /dev/null over files; a /dev/null that
# is not the null device must not be what gets bound.
@test "maskedPaths: a /dev/null that is not the null device is not used to mask" {
	update_config '.linux.devices = [{"path": "/dev/null", "type": "c", "major": 1, "minor": 5, "fileMode": 438}] |
		.process.args = ["sh", "-c", "head -c 10 /proc/keys | wc -c"]'
	run rt run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.maskedPaths["*"/dev/null in the container is not the null device (char 1:3): refusing to mask with it"* ]]
	[ ! -e "$ROOT/$ID" ]
}

# in_container SCRIPT: run SCRIPT with sh in the default `rt spec` container.
in_container() {
	update_config ".process.args = [\"sh\", \"-c\", $(jq -Rn --arg s "$1" '$s')]"
	run rt run --bundle "$BUNDLE" "$ID"
	echo "$output"
}

@test "maskedPaths of the default spec read as nothing; masked directories are empty read-only tmpfs" {
	in_container '
		for f in /proc/kcore /proc/keys /proc/timer_list /proc/latency_stats /proc/timer_stats /proc/sched_debug; do
			[ -e $f ] && echo "$f $(wc -c <$f)"
		done
		for d in /proc/acpi /proc/scsi /sys/firmware /proc/asound; do
			[ -e $d ] && echo "$d [$(ls -A $d)] $(stat -f -c %T $d)"
		done
		mkdir /sys/firmware/x 2>&1 || true
		umount /proc/keys 2>&1 || true'
	[ "$status" -eq 0 ]
	# Present on this host: /proc/keys, /proc/timer_list, /proc/acpi, /sys/firmware.
	[[ "$output" == *"/proc/keys 0"* ]]
	[[ "$output" == *"/proc/timer_list 0"* ]]
	[[ "$output" == *"/proc/acpi [] tmpfs"* ]]
	[[ "$output" == *"/sys/firmware [] tmpfs"* ]]
	[[ "$output" == *"/sys/firmware/x"*"Read-only file system"* ]]
	[[ "$output" == *"umount"*"Operation not permitted"* ]]
	! grep -E '^/proc/[a-z_]+ [1-9]' <<<"$output"
	# On the host they are not empty.
	[ -n "$(ls -A /sys/firmware)" ]
}

@test "readonlyPaths: /proc/sys and friends are read-only and cannot be remounted writable" {
	in_container '
		echo 1 >/proc/sys/kernel/ns_last_pid && echo WROTE-sys
		echo h >/proc/sysrq-trigger && echo WROTE-sysrq
		mount -o remount,rw /proc/sys && echo REMOUNTED
		mount -o remount,rw,bind /proc/sys && echo REMOUNTED-bind
		umount -l /proc/sys && echo UNMOUNTED
		mount -t proc proc /mnt && echo NEWPROC
		grep " /proc/sys " /proc/self/mountinfo'
	[[ "$output" != *WROTE* && "$output" != *REMOUNTED* && "$output" != *UNMOUNTED* && "$output" != *NEWPROC* ]]
	[[ "$output" == *"/proc/sys/kernel/ns_last_pid: Read-only file system"* ]]
	[[ "$(grep ' /proc/sys ' <<<"$output")" == *" /proc/sys ro,"* ]]
}

@test "no host processes: a pid namespace hides and protects them" {
	sleep 300 &
	host_pid=$!
	in_container "
		kill -0 $host_pid && echo SIGNALLED
		kill -0 $$ && echo SIGNALLED
		ls /proc | grep -E '^[0-9]+$' | tr '\n' ' '; echo
		ps -o pid,comm"
	kill "$host_pid"
	[ "$status" -eq 0 ]
	[[ "$output" != *SIGNALLED* ]]
	kill -0 "$$"
	# Only the container's sh (1) and what it runs.
	[[ "${lines[*]}" != *" sleep"* ]]
	pids=$(grep -E '^[0-9 ]+$' <<<"$output" | head -1)
	for p in $pids; do [ "$p" -lt 10 ]; done
}

@test "default capabilities: no mknod, mount, network admin, raw sockets, chroot, hostname" {
	in_container '
		mknod /dev/shm/null c 1 3 && echo MKNOD
		mknod /dev/shm/sda b 8 0 && echo MKNOD-blk
		mount -t tmpfs t /tmp && echo MOUNTED
		mount --bind /dev/shm /tmp && echo BOUND
		ip link add d0 type dummy && echo LINK-ADDED
		ip addr add 10.99.0.1/32 dev lo && echo ADDR-ADDED
		ip link set lo down && echo LINK-DOWN
		hostname evil && echo HOSTNAME
		ping -c1 -W1 127.0.0.1 >/dev/null 2>&1 && echo RAW-PING
		chroot / true && echo CHROOT
		echo done'
	[ "$status" -eq 0 ]
	[[ "$output" == *done* ]]
	for bad in MKNOD MOUNTED BOUND LINK-ADDED ADDR-ADDED LINK-DOWN HOSTNAME RAW-PING CHROOT; do
		[[ "$output" != *"$bad"* ]]
	done
	[[ "$output" == *"mknod: /dev/shm/null: Operation not permitted"* ]]
	[[ "$output" == *"mount: permission denied"* ]]
	[[ "$output" == *"RTNETLINK answers: Operation not permitted"* ]]
}

@test "state: --root/ID is 0700 and state.json 0600; another host user cannot start the container or read its state" {
	install_attacker
	update_config '.process.args = ["/attack", "fds"]'
	rt create --bundle "$BUNDLE" "$ID" >"$BUNDLE/out"
	[ "$(stat -c %a "$ROOT/$ID")" = 700 ]
	[ "$(stat -c %a "$ROOT/$ID/state.json")" = 600 ]
	[ -S "$ROOT/$ID/start.sock" ]
	chmod 755 "$ROOT" # even with the root open, the container dir is closed
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$RT" --root "$ROOT" start "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"permission denied"* ]]
	run setpriv --reuid=65534 --regid=65534 --clear-groups cat "$ROOT/$ID/state.json"
	[ "$status" -ne 0 ]
	[ "$(state_field "$ID" status)" = created ]
	# The container's program holds neither the start socket nor rt's connection to it.
	rt start "$ID"
	wait_for_status "$ID" stopped
	[ "$(cat "$BUNDLE/out")" = "fds=0 1 2 " ]
}

@test "mounts and devices: '..' in a destination or device path stops at the rootfs's /" {
	host_targets
	R="$BUNDLE/rootfs"
	update_config ".mounts += [{\"destination\": \"/../../../../..$HOSTDIR/m\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}] |
		.linux.devices = [{\"path\": \"/dev/../../../../..$HOSTDIR/null\", \"type\": \"c\", \"major\": 1, \"minor\": 3, \"fileMode\": 438}] |
		.process.args = [\"sh\", \"-c\", \"grep -c ' $HOSTDIR/m ' /proc/self/mountinfo; ls -l $HOSTDIR/null\"]"
	run rt run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1 ]
	[[ "${lines[1]}" == crw-rw-rw-* ]]
	[ -c "$R$HOSTDIR/null" ]
	host_untouched
}

# Joining a mount namespace would run the rootfs setup (rslave of /, binds,
# pivot_root, which moves every process there) in it: for /proc/1/ns/mnt,
# on the host. The test joins a scratch namespace, so a failure harms nothing.
@test "namespaces: joining an existing mount namespace is refused before anything is set up" {
	unshare --mount --propagation private sleep 300 &
	holder=$!
	local i
	for i in $(seq 1 100); do
		[ "$(readlink /proc/$holder/ns/mnt)" != "$(readlink /proc/self/ns/mnt)" ] && break
		sleep 0.05
	done
	update_config "(.linux.namespaces[] | select(.type == \"mount\")) .path = \"/proc/$holder/ns/mnt\""
	run rt run --bundle "$BUNDLE" "$ID"
	# (Without the check, rt pivots the scratch namespace into the rootfs,
	# where there is no /proc/self/mountinfo.)
	scratch_mounts=$(nsenter --mount=/proc/$holder/ns/mnt cat /proc/self/mountinfo 2>&1 || echo "pivoted into $BUNDLE")
	kill "$holder"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.namespaces["*"].path: joining an existing mount namespace is not supported"* ]]
	[ ! -e "$ROOT/$ID" ]
	[[ "$scratch_mounts" != *"$BUNDLE"* ]]
}

# Published escapes that need a writable kernel interface: cgroup v1
# release_agent (CVE-2022-0492), core_pattern, uevent_helper.
@test "kernel interfaces: no release_agent, core_pattern or uevent_helper for the default container" {
	in_container '
		ls /sys/fs/cgroup/*/release_agent 2>/dev/null && echo HAS-RELEASE-AGENT
		for d in /sys/fs/cgroup/*/; do
			echo 1 >$d/notify_on_release 2>/dev/null && echo "WROTE $d"
			mkdir $d/escape 2>/dev/null && echo "MKDIR $d"
		done
		mount -t cgroup -o memory cgroup /tmp 2>/dev/null && echo MOUNTED-CGROUP
		echo "|/tmp/x" >/proc/sys/kernel/core_pattern && echo WROTE-core_pattern
		echo /tmp/x >/sys/kernel/uevent_helper && echo WROTE-uevent_helper
		echo done'
	[ "$status" -eq 0 ]
	[[ "$output" == *done* ]]
	[[ "$output" != *HAS-RELEASE-AGENT* && "$output" != *WROTE* && "$output" != *MKDIR* && "$output" != *MOUNTED* ]]
	[[ "$output" == *"core_pattern: Read-only file system"* ]]
	[ "$(cat /proc/sys/kernel/core_pattern)" != "|/tmp/x" ]
}
