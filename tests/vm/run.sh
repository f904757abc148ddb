#!/usr/bin/env bash
# Runs rt's cgroup bats tests in a qemu guest on a cgroup layout this host
# does not have: pure cgroup v2 (cgroup_no_v1=all, cgroup2 on /sys/fs/cgroup)
# and pure v1 (only v1 hierarchies, no cgroup2 mounted).
#
#   tests/vm/run.sh [LAYOUT...]     LAYOUT: v2 (default), v1
#
# It boots Debian's own kernel (the linux-image-amd64 package, unpacked into
# a cache, not installed) on a busybox initramfs holding a static rt, bash,
# bats, jq, the tests and their modules. The guest's /init (tests/vm/init)
# prints "RT-VM: PASS|FAIL|SKIP file: test" per test and one
# "RT-VM-RESULT layout=.. pass=N fail=N skip=N" line; this script exits
# non-zero on any failure, a missing result line or a timeout.
#
# Environment: RT_VM_CACHE (kernel cache, default /var/cache/rt-vm),
# RT_VM_TESTS (bats files, relative to the repo), RT_VM_TIMEOUT (seconds per
# boot, default 420: a loaded machine emulates slowly), RT_VM_KEEP=1 (keep the work dir).
set -euo pipefail
cd "$(dirname "$0")/../.."

layouts=("$@")
[ ${#layouts[@]} -gt 0 ] || layouts=(v2)
for l in "${layouts[@]}"; do
	case $l in v1 | v2) ;; *)
		echo "run.sh: unknown layout $l (v1 or v2)" >&2
		exit 2
		;;
	esac
done
cache=${RT_VM_CACHE:-/var/cache/rt-vm}
tests=${RT_VM_TESTS:-tests/integration/cgroup_layout.bats}
vm_timeout=${RT_VM_TIMEOUT:-420}
export PATH="$PATH:/usr/local/go/bin"

log() { echo "== vm: $*" >&2; }

# ---- what the harness needs on the host ----
need=()
have() { command -v "$1" >/dev/null 2>&1; }
have qemu-system-x86_64 || need+=(qemu-system-x86)
have bats || need+=(bats)
have gcc || need+=(gcc)
have strings || need+=(binutils)
have xz || need+=(xz-utils)
have flock || need+=(util-linux)
have gzip || need+=(gzip)
{ [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1; } || need+=(busybox-static)
[ -e /usr/lib/x86_64-linux-gnu/libc.a ] || need+=(libc6-dev)
[ -e /usr/lib/x86_64-linux-gnu/libseccomp.a ] || need+=(libseccomp-dev)
if [ ${#need[@]} -gt 0 ]; then
	log "installing ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq "${need[@]}" >/dev/null
fi

# ---- Debian's kernel, unpacked into the cache ----
kernel_pkg() { apt-cache depends linux-image-amd64 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^linux-image-/ {print $2; exit}'; }
pkg=$(kernel_pkg)
[ -n "$pkg" ] || { apt-get update -qq && pkg=$(kernel_pkg); }
[ -n "$pkg" ] || { echo "run.sh: cannot find the kernel package linux-image-amd64 depends on" >&2; exit 1; }
kdir=$cache/$pkg
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9 # two runs at once: one fetches, the other waits
if [ ! -e "$kdir/.unpacked" ]; then
	log "fetching $pkg into $kdir"
	mkdir -p "$cache"
	rm -rf "$kdir" "$cache/dl"
	mkdir -p "$cache/dl"
	# apt's sandbox user cannot write into a root-only cache: say nothing of it.
	(cd "$cache/dl" && apt-get download "$pkg" 2>&1 | grep -v 'unsandboxed' >&2 || true)
	deb=$(ls "$cache"/dl/"$pkg"_*.deb)
	dpkg-deb -x "$deb" "$kdir"
	rm -rf "$cache/dl"
	touch "$kdir/.unpacked"
fi
flock -u 9
kernel=$(ls "$kdir"/boot/vmlinuz-*)
moddir=$(ls -d "$kdir"/lib/modules/*)

work=$(mktemp -d /tmp/rt-vm.XXXXXX)
cleanup() { [ -n "${RT_VM_KEEP:-}" ] && echo "work dir kept: $work" >&2 || rm -rf "$work"; }
trap cleanup EXIT

# ---- a static rt ----
log "building a static rt"
CGO_ENABLED=1 go build -trimpath -ldflags "-X main.commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown) -linkmode external -extldflags -static" -o "$work/rt" . 2>"$work/build.log" || {
	cat "$work/build.log" >&2
	exit 1
}
ldd "$work/rt" >/dev/null 2>&1 && { echo "run.sh: $work/rt is not static" >&2; exit 1; }

# ---- the initramfs ----
ird=$work/initramfs
mkdir -p "$ird"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,etc,root,tmp,proc,sys,dev,run,newroot,src,lib/rt-modules}
cp /bin/busybox "$ird/bin/busybox"
for a in $(/bin/busybox --list); do
	[ "$a" = busybox ] || ln -sf busybox "$ird/bin/$a"
done
ln -sf ../../bin/busybox "$ird/usr/bin/env"

# Host programs the tests use where busybox's differ or are missing (bats
# is bash; realpath -m and flock are GNU/util-linux), with their libraries.
copy_prog() {
	local p=$1 dst=$2 lib
	rm -f "$ird/$dst"
	cp -L "$p" "$ird/$dst"
	for lib in $(ldd "$p" | awk '$2 == "=>" {print $3} $1 ~ /^\// {print $1}'); do
		mkdir -p "$ird/$(dirname "$lib")"
		cp -L "$lib" "$ird/$lib"
	done
}
# /usr/bin comes first on the guest's PATH.
copy_prog /usr/bin/bash bin/bash
(cd tests/vm/tools && CGO_ENABLED=0 go build -trimpath -ldflags=-s -o "$ird/usr/bin/jq" github.com/itchyny/gojq/cmd/gojq)
copy_prog "$(command -v realpath)" usr/bin/realpath
copy_prog "$(command -v flock)" usr/bin/flock
# bats: its launcher and libraries, where Debian's package puts them.
bats_bin=$(command -v bats)
cp "$bats_bin" "$ird/usr/bin/bats"
for d in /usr/lib/bats-core /usr/libexec/bats-core; do
	[ -d "$d" ] && mkdir -p "$ird$(dirname "$d")" && cp -a "$d" "$ird$d"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$ird/etc/passwd"
printf 'root:x:0:\nnobody:x:65534:\n' >"$ird/etc/group"

# Kernel modules and their dependencies, in load order (the package has no
# modules.dep); compressed ones are decompressed here, since busybox's
# insmod takes only plain .ko files.
declare -A modpath=() loaded=()
while IFS= read -r f; do
	b=${f##*/}
	b=${b%%.ko*}
	modpath[$b]=$f
done < <(find "$moddir" -name '*.ko*')
order=()
add_module() {
	local m=$1 f deps d
	[ -n "${loaded[$m]:-}" ] && return 0
	f=${modpath[$m]:-}
	[ -n "$f" ] || { echo "run.sh: module $m not found in $moddir" >&2; exit 1; }
	case $f in
	*.ko.xz) xz -dc "$f" >"$ird/lib/rt-modules/$m.ko" ;;
	*.ko.zst) zstd -dc "$f" >"$ird/lib/rt-modules/$m.ko" ;;
	*.ko.gz) gzip -dc "$f" >"$ird/lib/rt-modules/$m.ko" ;;
	*) cp "$f" "$ird/lib/rt-modules/$m.ko" ;;
	esac
	deps=$(strings -a "$ird/lib/rt-modules/$m.ko" | sed -n 's/^depends=//p' | head -1)
	loaded[$m]=1
	for d in ${deps//,/ }; do add_module "$d"; done
	order+=("$m")
}
# overlay, veth, bridge: what containers use; virtio_pci + virtio_blk: the
# guest's disk (a real block device for the io/blkio tests); bfq: weights.
for m in overlay veth bridge virtio_pci virtio_blk bfq; do add_module "$m"; done
printf '%s\n' "${order[@]}" >"$ird/lib/rt-modules/order"

# rt, the tests and the init.
cp "$work/rt" "$ird/src/rt"
mkdir -p "$ird/src/tests/vm"
cp -a tests/integration tests/lib "$ird/src/tests/"
. tests/lib/rootfs.sh
make_rootfs "$ird/src/rootfs-template"
cp tests/vm/init "$ird/init"
chmod 755 "$ird/init"
for t in $tests; do
	[ -e "$t" ] || { echo "run.sh: no test file $t" >&2; exit 1; }
done
echo "$tests" | tr ' ' '\n' | grep . >"$ird/src/tests/vm/bats-files"

(cd "$ird" && find . | /bin/busybox cpio -o -H newc 2>/dev/null | gzip -1) >"$work/initramfs.gz"
log "initramfs $(du -h "$work/initramfs.gz" | cut -f1), kernel $pkg"

# A disk for the guest: a real (virtio) block device for io.max and weights.
truncate -s 64M "$work/disk.img"

# KVM where it works. On a nested host /dev/kvm can be there and a guest
# still abort at once (an MSR the host refuses) or hang after the BIOS: a
# probe boot of the kernel alone, which panics for want of a root within a
# second under KVM (~4 s under emulation), tells.
kvm_works() {
	[ -w /dev/kvm ] || return 1
	timeout 8 qemu-system-x86_64 -machine pc -enable-kvm -cpu host -m 256 -smp 1 -nographic -no-reboot \
		-kernel "$kernel" -append "console=ttyS0 panic=-1" -nic none </dev/null 2>&1 | grep -aq 'Kernel panic'
}
accel=(-machine pc)
if kvm_works; then
	accel=(-machine pc -enable-kvm -cpu host)
	log "KVM works: guests run on it"
elif [ -e /dev/kvm ]; then
	log "/dev/kvm is there but a KVM guest does not boot (nested?): guests run emulated"
fi

rc=0
for layout in "${layouts[@]}"; do
	append="console=ttyS0 panic=-1 quiet rt_layout=$layout"
	[ "$layout" = v2 ] && append+=" cgroup_no_v1=all"
	log "booting the $layout guest (timeout ${vm_timeout}s)"
	start=$(date +%s)
	console=$work/console-$layout.log
	set +e
	timeout "$vm_timeout" qemu-system-x86_64 "${accel[@]}" -m 1024 -smp 1 -nographic -no-reboot \
		-kernel "$kernel" -initrd "$work/initramfs.gz" -append "$append" \
		-drive file="$work/disk.img",format=raw,if=virtio \
		-nic none </dev/null 2>&1 | sed -u 's/\r//g' | tee "$console"
	qrc=${PIPESTATUS[0]}
	set -e
	secs=$(($(date +%s) - start))
	result=$(grep -a '^RT-VM-RESULT ' "$console" | tail -1)
	if [ "$qrc" = 124 ]; then
		echo "RT-VM $layout: TIMEOUT after ${secs}s" >&2
		rc=1
	elif [ -z "$result" ]; then
		echo "RT-VM $layout: no result line (qemu exit $qrc) after ${secs}s" >&2
		rc=1
	else
		echo "RT-VM $layout: $result in ${secs}s" >&2
		case $result in *" fail=0 "*) ;; *) rc=1 ;; esac
	fi
	grep -a '^RT-VM: FAIL' "$console" >&2 || true
done
exit $rc
