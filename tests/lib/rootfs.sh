# make_rootfs DIR: a minimal busybox root filesystem for test containers.
# Applets link to "busybox" relatively, so they resolve inside the container
# (`busybox --install -s` would point them at the host's /bin/busybox).
make_rootfs() {
	local dir=$1 a
	mkdir -p "$dir"/{bin,etc,proc,sys,dev,tmp,root}
	cp /bin/busybox "$dir/bin/busybox"
	# One perl process makes the ~400 links (perl-base is essential in
	# Debian); a process per link costs many seconds on a busy machine.
	if command -v perl >/dev/null; then
		/bin/busybox --list | BIN="$dir/bin" perl -ne 'chomp; next if $_ eq "busybox"; symlink("busybox", "$ENV{BIN}/$_") or die "symlink $_: $!\n"' ||
			return 1
	else
		for a in $(/bin/busybox --list); do
			[ "$a" = busybox ] || ln -sf busybox "$dir/bin/$a"
		done
	fi
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$dir/etc/passwd"
	printf 'root:x:0:\nnobody:x:65534:\n' >"$dir/etc/group"
}
