#!/usr/bin/env bats
# process.terminal: a pty from the container's devpts is the process's
# controlling terminal and stdio. rt run in the foreground drives it from a
# real terminal (tmux here); rt create --console-socket sends its master to a
# receiver (recvtty here, as containerd's shim or conmon would).

load helpers
load cgroup_helpers

RECVTTY="${RECVTTY:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)/contrib/cmd/recvtty/recvtty}"

# /dev/pts/0 and /dev/pts/1 as /proc/PID/stat's tty_nr: major 136, minor 0 and 1.
PTS0_NR=$(((136 << 8) | 0))
PTS1_NR=$(((136 << 8) | 1))

# What the shell in the container reports about its terminal, one line:
# the pty's name, its size, the controlling terminal of the shell (tty_nr
# of /proc/$$/stat: 0 if it has none), its session, what its stdin, stdout
# and stderr are, /dev/console's device, and who owns the pty.
REPORT='read -r _ _ _ _ _ sid nr _ </proc/$$/stat; echo "T=$(tty) S=$(stty size | tr " " x) NR=$nr SID=$sid IN=$(readlink /proc/$$/fd/0) OUT=$(readlink /proc/$$/fd/1) ERR=$(readlink /proc/$$/fd/2) CON=$(stat -c %t:%T /dev/console) OWN=$(stat -c %u $(tty)) END"'

setup() {
	setup_bundle
	[ -x "$RECVTTY" ] || { echo "build recvtty first: make recvtty" >&2; return 1; }
	# Short: a unix socket's path has at most 107 bytes.
	TTYDIR=$(mktemp -d /tmp/rt-tty.XXXXXX)
	RECV_PID=
	EXEC_RECV_PID=
	TMUX_SOCK=
}

teardown() {
	[ -n "$TMUX_SOCK" ] && tmux -S "$TMUX_SOCK" kill-server 2>/dev/null
	[ -n "$RECV_PID" ] && kill "$RECV_PID" 2>/dev/null
	[ -n "$EXEC_RECV_PID" ] && kill "$EXEC_RECV_PID" 2>/dev/null
	exec 4>&- 2>/dev/null
	teardown_bundle
	rm -rf "$TTYDIR"
}

# tmux_run CMD: run CMD in a new 100x30 terminal of a private tmux server;
# the pane stays after CMD exits so that its screen can still be read.
tmux_run() {
	TMUX_SOCK="$TTYDIR/tmux.sock"
	printf 'set -g status off\nset -g remain-on-exit on\n' >"$TTYDIR/tmux.conf"
	tmux -S "$TMUX_SOCK" -f "$TTYDIR/tmux.conf" new-session -d -x 100 -y 30 "$1"
}

screen() { tmux -S "$TMUX_SOCK" capture-pane -p -J -S -200; }

# keys TEXT: type TEXT and Enter into the terminal.
keys() { tmux -S "$TMUX_SOCK" send-keys -l "$1" && tmux -S "$TMUX_SOCK" send-keys Enter; }

# report_in TEXT: the REPORT line in TEXT (not the command line echoed before it).
report_in() { grep -o 'T=/dev/[^ ]* S=.* END' <<<"$1" | tail -n 1 | tr -d '\r'; }

# the container's init pid, once it runs
init_pid() { rt state "$ID" 2>/dev/null | jq -r 'select(.status == "running") | .pid'; }

@test "run in the foreground from a real terminal: tty, consoleSize, controlling terminal, ^C, resize, exit code, terminal restored" {
	update_config '.process.terminal = true | .process.args = ["sh"] | .process.consoleSize = {"height": 25, "width": 91}'
	tmux_run "stty -g >'$TTYDIR/before'; '$RT' --root '$ROOT' run --bundle '$BUNDLE' '$ID'; echo \$? >'$TTYDIR/rc'; stty -g >'$TTYDIR/after'"
	wait_until '[[ "$(screen)" == *"/ # "* ]]'
	keys "$REPORT"
	wait_until '[ -n "$(report_in "$(screen)")" ]'
	line=$(report_in "$(screen)")
	echo "$line"
	[ "$line" = "T=/dev/pts/0 S=25x91 NR=$PTS0_NR SID=1 IN=/dev/pts/0 OUT=/dev/pts/0 ERR=/dev/pts/0 CON=88:0 OWN=0 END" ]

	# ^C reaches the container's line discipline (rt's terminal is raw):
	# it interrupts the foreground job, and rt goes on.
	keys 'sleep 1000'
	pid=$(init_pid)
	wait_until '[ -n "$(cat /proc/$pid/task/$pid/children 2>/dev/null)" ]'
	tmux -S "$TMUX_SOCK" send-keys C-c
	keys 'echo "after=$?"'
	wait_until '[[ "$(screen)" == *"after=130"* ]]'

	# A resize of rt's terminal reaches the pty.
	tmux -S "$TMUX_SOCK" resize-window -x 120 -y 40
	keys 'echo "size=$(stty size | tr " " x)"'
	wait_until '[[ "$(screen)" == *"size=40x120"* ]]'

	keys 'exit 7'
	wait_until '[ -s "$TTYDIR/after" ]'
	[ "$(cat "$TTYDIR/rc")" = 7 ]
	# rt gave its terminal back as it found it.
	[ "$(cat "$TTYDIR/before")" = "$(cat "$TTYDIR/after")" ]
	[ ! -e "$ROOT/$ID" ]
	no_cgroup_named "$ID"
}

@test "run in the foreground, stdin not a terminal: the output comes through the pty unchanged, the exit code through rt" {
	update_config '.process.terminal = true | .process.args = ["sh", "-c", "tty; [ -t 0 ] && [ -t 1 ] && echo both-tty; echo fds=$(ls /proc/self/fd); exit 4"]'
	run rt run --bundle "$BUNDLE" "$ID" </dev/null
	echo "$output"
	[ "$status" -eq 4 ]
	[[ "$output" == *"/dev/pts/0"* ]]
	[[ "$output" == *"both-tty"* ]]
	# Neither the pty master nor the console socket leaked into the
	# container: only stdio (and ls's own directory fd).
	[[ "$output" == *"fds=0 1 2 3"* ]]
	# The pty does not turn "\n" into "\r\n" (onlcr off, as runc).
	[[ "$output" != *$'\r'* ]]
	[ ! -e "$ROOT/$ID" ]
}

@test "create --console-socket: the master goes to the receiver; the pty is the controlling terminal and stdio of a non-root process" {
	update_config '.process.terminal = true | .process.args = ["sh"] | .process.user = {"uid": 1000, "gid": 1000} | .process.consoleSize = {"height": 33, "width": 77}'
	mkfifo "$TTYDIR/in"
	"$RECVTTY" -v "$TTYDIR/console.sock" <"$TTYDIR/in" >"$TTYDIR/out" 2>"$TTYDIR/err" 3>&- &
	RECV_PID=$!
	exec 4>"$TTYDIR/in" # recvtty's stdin, open until the test closes it
	wait_until '[ -S "$TTYDIR/console.sock" ]'
	rt create --console-socket "$TTYDIR/console.sock" --bundle "$BUNDLE" "$ID"
	# One message: the data is the master's path, as runc sends it.
	wait_until 'grep -q "received pty master" "$TTYDIR/err"'
	grep -F 'received pty master "/dev/pts/ptmx"' "$TTYDIR/err"
	[ "$(state_field "$ID" status)" = created ]
	rt start "$ID"

	echo "$REPORT" >&4
	wait_until '[ -n "$(report_in "$(cat "$TTYDIR/out")")" ]'
	line=$(report_in "$(cat "$TTYDIR/out")")
	echo "$line"
	[ "$line" = "T=/dev/pts/0 S=33x77 NR=$PTS0_NR SID=1 IN=/dev/pts/0 OUT=/dev/pts/0 ERR=/dev/pts/0 CON=88:0 OWN=1000 END" ]
	echo 'echo "uid=$(id -u)"; exit 3' >&4
	wait_until 'grep -q "uid=1000" "$TTYDIR/out"'
	# The container closed the pty: recvtty is done, the container stopped.
	wait_until '! kill -0 "$RECV_PID" 2>/dev/null'
	wait "$RECV_PID"
	RECV_PID=
	wait_status "$ID" stopped
}

@test "run -d --console-socket: the receiver holds the master (null mode) while the container runs" {
	update_config '.root.readonly = false | .process.terminal = true | .process.args = ["sh", "-c", "tty >/tty.out; [ -t 0 ] && echo yes >>/tty.out; exec sleep 1000"]'
	"$RECVTTY" --mode null "$TTYDIR/console.sock" </dev/null >"$TTYDIR/out" 2>&1 3>&- &
	RECV_PID=$!
	wait_until '[ -S "$TTYDIR/console.sock" ]'
	rt run -d --console-socket "$TTYDIR/console.sock" --bundle "$BUNDLE" "$ID"
	[ "$(state_field "$ID" status)" = running ]
	wait_until '[ "$(cat "$BUNDLE/rootfs/tty.out" 2>/dev/null)" = "$(printf "/dev/pts/0\nyes")" ]'
	kill -0 "$RECV_PID"
	rt kill "$ID" KILL
	# The pty closed with the container: recvtty ends, and cleanly.
	wait_until '! kill -0 "$RECV_PID" 2>/dev/null'
	wait "$RECV_PID"
	RECV_PID=
	wait_status "$ID" stopped
}

@test "terminal errors: no --console-socket, --console-socket without a terminal or in the foreground, no listener: clear error, nothing left" {
	update_config '.process.terminal = true | .process.args = ["sh"]'
	run rt create --bundle "$BUNDLE" "$ID"
	assert_clean_failure "no --console-socket was given"
	run rt run -d --bundle "$BUNDLE" "$ID"
	assert_clean_failure "no --console-socket was given"

	run rt create --console-socket "$TTYDIR/missing.sock" --bundle "$BUNDLE" "$ID"
	assert_clean_failure "--console-socket $TTYDIR/missing.sock: connect: no such file or directory"
	update_config '.process.consoleSize = {"height": 70000, "width": 80}'
	run rt run --bundle "$BUNDLE" "$ID" </dev/null
	assert_clean_failure "process.consoleSize: 70000x80 is larger than a terminal can be"
	update_config 'del(.process.consoleSize)'
	touch "$TTYDIR/file.sock"
	run rt create --console-socket "$TTYDIR/file.sock" --bundle "$BUNDLE" "$ID"
	assert_clean_failure "--console-socket $TTYDIR/file.sock: connect: connection refused"

	"$RECVTTY" "$TTYDIR/console.sock" </dev/null >/dev/null 2>&1 3>&- &
	RECV_PID=$!
	wait_until '[ -S "$TTYDIR/console.sock" ]'
	run rt run --console-socket "$TTYDIR/console.sock" --bundle "$BUNDLE" "$ID" </dev/null
	assert_clean_failure "--console-socket needs a detached process"
	update_config '.process.terminal = false'
	run rt create --console-socket "$TTYDIR/console.sock" --bundle "$BUNDLE" "$ID"
	assert_clean_failure "--console-socket was given but process.terminal (or exec --tty) is not set"
	# Nobody connected: the receiver still waits.
	kill -0 "$RECV_PID"
}

@test "terminal: no devpts in the container: clear error, nothing left, the receiver gets no master" {
	update_config '.process.terminal = true | .process.args = ["sh"] | .mounts |= map(select(.destination != "/dev/pts"))'
	"$RECVTTY" "$TTYDIR/console.sock" </dev/null >/dev/null 2>"$TTYDIR/err" 3>&- &
	RECV_PID=$!
	wait_until '[ -S "$TTYDIR/console.sock" ]'
	run rt create --console-socket "$TTYDIR/console.sock" --bundle "$BUNDLE" "$ID"
	assert_clean_failure "process.terminal: open /dev/pts/ptmx: no such file or directory"
	# The receiver saw the connection close without a master.
	wait_until '! kill -0 "$RECV_PID" 2>/dev/null'
	rc=0
	wait "$RECV_PID" || rc=$?
	RECV_PID=
	[ "$rc" -ne 0 ]
	grep -F "closed without a pty master" "$TTYDIR/err"
}

# start_init_on_pts0: the container's init is a shell on a pty (/dev/pts/0,
# 25x91) whose master recvtty holds; it runs until killed.
start_init_on_pts0() {
	update_config '.process.terminal = true | .process.args = ["sh"] | .process.consoleSize = {"height": 25, "width": 91}'
	"$RECVTTY" --mode null "$TTYDIR/init.sock" </dev/null >/dev/null 2>&1 3>&- &
	RECV_PID=$!
	wait_until '[ -S "$TTYDIR/init.sock" ]'
	rt run -d --console-socket "$TTYDIR/init.sock" --bundle "$BUNDLE" "$ID"
}

@test "exec -t from a real terminal: a pty of its own beside init's, the controlling terminal, the size of rt's terminal, exit code" {
	start_init_on_pts0
	tmux_run "'$RT' --root '$ROOT' exec -t '$ID' sh; echo \$? >'$TTYDIR/rc'"
	wait_until '[[ "$(screen)" == *"/ # "* ]]'
	keys "$REPORT"
	wait_until '[ -n "$(report_in "$(screen)")" ]'
	line=$(report_in "$(screen)")
	echo "$line"
	# Its session is its own (not 1, init's); /dev/console stays init's pty;
	# the size is rt's terminal's, not the container's consoleSize.
	[[ "$line" =~ ^"T=/dev/pts/1 S=30x100 NR=$PTS1_NR SID="([0-9]+)" IN=/dev/pts/1 OUT=/dev/pts/1 ERR=/dev/pts/1 CON=88:0 OWN=0 END"$ ]]
	[ "${BASH_REMATCH[1]}" -ne 1 ]
	keys 'exit 6'
	wait_until '[ -s "$TTYDIR/rc" ]'
	[ "$(cat "$TTYDIR/rc")" = 6 ]
	# The container's init goes on.
	[ "$(state_field "$ID" status)" = running ]
}

# exec_receiver: recvtty on $TTYDIR/exec.sock for an exec'd process's
# master; what is written to fd 4 goes to the process's terminal, what the
# process writes lands in $TTYDIR/out.
exec_receiver() {
	mkfifo "$TTYDIR/in"
	"$RECVTTY" -v "$TTYDIR/exec.sock" <"$TTYDIR/in" >"$TTYDIR/out" 2>"$TTYDIR/err" 3>&- &
	EXEC_RECV_PID=$!
	exec 4>"$TTYDIR/in"
	wait_until '[ -S "$TTYDIR/exec.sock" ]'
}

# check_exec_pts1: the exec'd shell (user 1000) reports /dev/pts/1 as its
# controlling terminal and stdio.
check_exec_pts1() {
	echo "$REPORT" >&4
	wait_until '[ -n "$(report_in "$(cat "$TTYDIR/out")")" ]'
	line=$(report_in "$(cat "$TTYDIR/out")")
	echo "$line"
	[[ "$line" =~ ^"T=/dev/pts/1 S="[^\ ]*" NR=$PTS1_NR SID="[0-9]+" IN=/dev/pts/1 OUT=/dev/pts/1 ERR=/dev/pts/1 CON=88:0 OWN=1000 END"$ ]]
}

# end_exec_receiver: the shell exits; the receiver sees the pty close.
end_exec_receiver() {
	echo 'exit 0' >&4
	wait_until '! kill -0 "$EXEC_RECV_PID" 2>/dev/null'
	wait "$EXEC_RECV_PID"
	EXEC_RECV_PID=
}

@test "exec -d -t --console-socket: the master goes to the receiver, as for create" {
	start_init_on_pts0
	exec_receiver
	rt exec -d -t --console-socket "$TTYDIR/exec.sock" --user 1000:1000 "$ID" sh
	wait_until 'grep -q "received pty master" "$TTYDIR/err"'
	grep -F 'received pty master "/dev/pts/ptmx"' "$TTYDIR/err"
	check_exec_pts1
	end_exec_receiver
	[ "$(state_field "$ID" status)" = running ]
}

@test "exec --process FILE --detach --tty --console-socket, as conmon (podman, CRI-O) calls it" {
	start_init_on_pts0
	exec_receiver
	cat >"$BUNDLE/exec-process.json" <<-EOF
	{"terminal": true, "args": ["sh"], "cwd": "/", "env": ["PATH=/bin"], "user": {"uid": 1000, "gid": 1000}}
	EOF
	rt exec --pid-file "$TTYDIR/exec.pid" --process "$BUNDLE/exec-process.json" --detach --tty \
		--console-socket "$TTYDIR/exec.sock" "$ID"
	wait_until 'grep -q "received pty master" "$TTYDIR/err"'
	check_exec_pts1
	# The pid file names the exec'd shell, a process of the container.
	kill -0 "$(cat "$TTYDIR/exec.pid")"
	end_exec_receiver
	# A --tty the file contradicts is refused, naming both.
	echo '{"terminal": false, "args": ["true"], "cwd": "/"}' >"$BUNDLE/no-tty.json"
	run rt exec --process "$BUNDLE/no-tty.json" --detach --tty --console-socket "$TTYDIR/exec.sock" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *'--tty=true: the --process file has "terminal": false'* ]]
	[ "$(state_field "$ID" status)" = running ]
}

@test "exec terminal errors: -d -t without --console-socket, --console-socket without -t or attached: clear error, no process" {
	update_config '.process.args = ["sleep", "1000"]'
	rt run -d --bundle "$BUNDLE" "$ID" </dev/null
	"$RECVTTY" "$TTYDIR/console.sock" </dev/null >/dev/null 2>&1 3>&- &
	RECV_PID=$!
	wait_until '[ -S "$TTYDIR/console.sock" ]'
	run rt exec -d -t "$ID" sh
	[ "$status" -ne 0 ]
	[[ "$output" == *"no --console-socket was given"* ]]
	run rt exec -d --console-socket "$TTYDIR/console.sock" "$ID" sh
	[ "$status" -ne 0 ]
	[[ "$output" == *"--console-socket was given but process.terminal (or exec --tty) is not set"* ]]
	run rt exec -t --console-socket "$TTYDIR/console.sock" "$ID" sh </dev/null
	[ "$status" -ne 0 ]
	[[ "$output" == *"--console-socket needs a detached process"* ]]
	run rt exec -d -t --console-socket "$TTYDIR/missing.sock" "$ID" sh
	[ "$status" -ne 0 ]
	[[ "$output" == *"--console-socket $TTYDIR/missing.sock: connect: no such file or directory"* ]]
	# Only init runs in the container; the receiver was never connected to.
	[ "$(rt ps --format json "$ID" | jq length)" -eq 1 ]
	kill -0 "$RECV_PID"
}

@test "terminal in a user namespace: the pty is the controlling terminal, owned by the mapped process user" {
	# As userns.bats: a bundle the mapped root can reach, a rootfs it owns.
	mv "$BUNDLE" "$TTYDIR/bundle"
	BUNDLE="$TTYDIR/bundle"
	chmod 755 "$TTYDIR" "$BUNDLE"
	chown -R 100000:100000 "$BUNDLE/rootfs"
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .process.user = {"uid": 1000, "gid": 1000}
		| .process.terminal = true | .process.consoleSize = {"height": 20, "width": 60}'
	set_script "$REPORT"
	run rt run --bundle "$BUNDLE" "$ID" </dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	line=$(report_in "$output")
	[ "$line" = "T=/dev/pts/0 S=20x60 NR=$PTS0_NR SID=1 IN=/dev/pts/0 OUT=/dev/pts/0 ERR=/dev/pts/0 CON=88:0 OWN=1000 END" ]
}
