package config

import (
	"strings"
	"testing"
)

func TestParseProcessErrorsNameTheField(t *testing.T) {
	for _, c := range []struct{ in, err string }{
		{`{"args": "sh"}`, "process.args: cannot use JSON string"},
		{`{"args": ["sh"], "user": {"uid": "root"}}`, "process.user.uid: cannot use JSON string"},
		{`{"args": ["sh"],`, "invalid JSON at line 1"},
		{`{"args": ["sh"], "cwd": "/", "rlimits": [{"type": "RLIMIT_NOPE", "soft": 1, "hard": 1}]}`, "process.rlimits[0].type: unknown rlimit"},
		{`{"args": ["sh"]}`, "process.cwd: missing"},
		{`{"cwd": "/"}`, "process.args: missing"},
		{`{"args": ["sh"], "cwd": "/", "env": ["X"]}`, "process.env[0]"},
	} {
		p, err := ParseProcess([]byte(c.in))
		if err == nil {
			err = ValidateProcess(p)
		}
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: %v, want an error containing %q", c.in, err, c.err)
		}
	}
	p, err := ParseProcess([]byte(`{"args": ["sh"], "cwd": "/", "env": ["A=b"]}`))
	if err != nil || ValidateProcess(p) != nil || p.Args[0] != "sh" {
		t.Errorf("a valid process: %v %+v", err, p)
	}
}
