package libcontainer

import "testing"

func TestCheckTerminal(t *testing.T) {
	for _, c := range []struct {
		terminal bool
		socket   string
		attached bool
		want     error
	}{
		{false, "", false, nil},
		{false, "", true, nil},
		{true, "/s", false, nil},                // create, run -d
		{true, "", true, nil},                   // run: rt drives the pty
		{true, "", false, errNeedConsoleSocket}, // create without a receiver
		{false, "/s", false, errConsoleNoTerminal},
		{false, "/s", true, errConsoleNoTerminal},
		{true, "/s", true, errConsoleAttached}, // run in the foreground, as runc refuses
	} {
		if got := checkTerminal(c.terminal, c.socket, c.attached); got != c.want {
			t.Errorf("checkTerminal(%v, %q, %v) = %v, want %v", c.terminal, c.socket, c.attached, got, c.want)
		}
	}
}
