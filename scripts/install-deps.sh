#!/usr/bin/env bash
# Installs what building and testing rt needs on Debian 12, as root. Installs
# only what is missing, so a second run costs nothing.
set -euo pipefail

need=()
have() { command -v "$1" >/dev/null 2>&1; }
have make || need+=(make)
have gcc || need+=(gcc libc6-dev)
have bats || need+=(bats)
have jq || need+=(jq)
have ip || need+=(iproute2)
have ps || need+=(procps) # rt ps runs the host's ps
have newuidmap || need+=(uidmap) # rootless tests: multi-range maps of an unprivileged user
# hardening.bats: readelf finds rt's ELF interpreter, setcap makes a file-capability binary.
have readelf || need+=(binutils)
have setcap || need+=(libcap2-bin)
have tmux || need+=(tmux) # the terminal tests drive rt run from a real terminal
have strace || need+=(strace) # lifecycle.bats: which rt start sent START before the Go runtime ran
# managers.bats: podman (through conmon), containerd (through its runc
# shim) and docker drive rt as their runtime.
have podman || need+=(podman)
have containerd || need+=(containerd)
have dockerd || need+=(docker.io)
# Test rootfs copy /bin/busybox in: it must be the static build (ldd fails on it).
{ [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1; } || need+=(busybox-static)
[ -e /usr/include/seccomp.h ] || need+=(libseccomp-dev)
[ -e /usr/lib/x86_64-linux-gnu/libc.a ] || need+=(libc6-dev)
[ -n "${RT_BENCH_DEPS:-}" ] && { have runc || need+=(runc); }
if [ ${#need[@]} -gt 0 ]; then
	echo "installing: ${need[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq "${need[@]}" >/dev/null
fi

# Go: rt needs Go 1.26 (golang.org/x/sys does). Debian 12's own golang is
# too old; the machines have it at /usr/local/go. A Go >= 1.21 elsewhere on
# PATH fetches the right toolchain from the module proxy by itself.
export PATH="$PATH:/usr/local/go/bin"
if ! have go; then
	echo "rt needs Go >= 1.21 on PATH or at /usr/local/go (it then fetches Go 1.26 itself)" >&2
	exit 1
fi
go mod download
