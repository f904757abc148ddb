#!/usr/bin/env bats
# The network modes a manager builds from config.json: host (no network
# namespace), none (a new one with only lo), container (join another's by
# path) and bridge (a createRuntime hook wires a veth into a host bridge).

load helpers

setup() {
	setup_bundle
	BR=""
}

teardown() {
	teardown_bundle
	[ -n "$BR" ] && ip link del "$BR" 2>/dev/null
	return 0
}

no_netns() {
	update_config '.linux.namespaces |= map(select(.type != "network"))'
}

@test "host mode: no network namespace, the host's interfaces are seen" {
	no_netns
	update_config '.process.args = ["sh", "-c", "readlink /proc/self/ns/net; ip -o link | wc -l"]'
	run rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(readlink /proc/self/ns/net)" ]
	[ "${lines[1]}" -eq "$(ip -o link | wc -l)" ]
}

@test "none mode: a new network namespace with only lo, up" {
	update_config '.process.args = ["sh", "-c", "readlink /proc/self/ns/net; ip -o link"]'
	run rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" != "$(readlink /proc/self/ns/net)" ]
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[1]}" == "1: lo: <LOOPBACK,UP,LOWER_UP>"* ]]
}

@test "container mode: joins another container's network namespace by path" {
	update_config '.process.args = ["sleep", "100"]'
	rt run -d --bundle "$BUNDLE" "$ID"
	pid=$(state_field "$ID" pid)
	update_config ".process.args = [\"readlink\", \"/proc/self/ns/net\"] |
		.linux.namespaces |= map(if .type == \"network\" then .path = \"/proc/$pid/ns/net\" else . end)"
	run rt run --bundle "$BUNDLE" "$ID-2"
	[ "$status" -eq 0 ]
	[ "$output" = "$(readlink "/proc/$pid/ns/net")" ]
}

@test "bridge mode: a createRuntime hook wires a veth, the container reaches the host" {
	sfx=$(printf %04x $((RANDOM % 65536)))
	BR="rtbr$sfx"
	net="10.$((RANDOM % 200 + 20)).$((RANDOM % 250))"
	ip link add "$BR" type bridge
	ip addr add "$net.1/24" dev "$BR"
	ip link set "$BR" up
	cat >"$BUNDLE/wire.sh" <<-EOS
	#!/bin/sh
	set -e
	pid=\$(jq -r .pid)
	ip link add rth$sfx type veth peer name rtc$sfx
	ip link set rth$sfx master $BR up
	ip link set rtc$sfx netns "\$pid"
	nsenter -t "\$pid" -n ip link set rtc$sfx name eth0
	nsenter -t "\$pid" -n ip addr add $net.2/24 dev eth0
	nsenter -t "\$pid" -n ip link set eth0 up
	EOS
	chmod +x "$BUNDLE/wire.sh"
	update_config ".hooks.createRuntime = [{\"path\": \"$BUNDLE/wire.sh\", \"env\": [\"PATH=/usr/sbin:/usr/bin:/sbin:/bin\"]}] |
		.process.capabilities.bounding += [\"CAP_NET_RAW\"] | .process.capabilities.effective += [\"CAP_NET_RAW\"] |
		.process.capabilities.permitted += [\"CAP_NET_RAW\"] |
		.process.args = [\"sh\", \"-c\", \"ip -o -4 addr show eth0; ping -c 1 -W 5 $net.1\"]"
	run rt run --bundle "$BUNDLE" "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *"eth0"*"inet $net.2/24"* ]]
	[[ "$output" == *"1 packets received"* ]]
	# The veth goes with the container's network namespace (the kernel
	# dismantles a dead namespace asynchronously).
	for _ in $(seq 50); do
		ip link show "rth$sfx" >/dev/null 2>&1 || return 0
		sleep 0.1
	done
	echo "rth$sfx outlived the container" >&2
	return 1
}
