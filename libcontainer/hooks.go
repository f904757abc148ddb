package libcontainer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"rt/timerslack"
)

// runHooks runs hooks in order from rt's own process (the runtime's
// namespaces), each with the container's state JSON on stdin, as the
// runtime-spec asks. The first failure stops the rest and is returned
// naming the hook's stage, index and path.
func runHooks(stage string, hooks []specs.Hook, st OCIState) error {
	if len(hooks) == 0 {
		return nil
	}
	state, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("%s hooks: encode state: %w", stage, err)
	}
	for i, h := range hooks {
		if err := runHook(h, state); err != nil {
			return fmt.Errorf("hooks.%s[%d] (%s): %w", stage, i, h.Path, err)
		}
	}
	return nil
}

func runHook(h specs.Hook, state []byte) error {
	ctx := context.Background()
	if h.Timeout != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(*h.Timeout)*time.Second)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, h.Path)
	if len(h.Args) > 0 {
		cmd.Args = h.Args // args[0] is the hook's argv[0], as in execv
	}
	cmd.Env = h.Env
	if cmd.Env == nil {
		cmd.Env = []string{} // the spec's env, not rt's
	}
	cmd.Stdin = bytes.NewReader(state)
	out, err := timerslack.CombinedOutput(cmd) // the host's timer slack, not rt's
	if ctx.Err() == context.DeadlineExceeded {
		return fmt.Errorf("timed out after %ds", *h.Timeout)
	}
	if err != nil {
		if msg := strings.TrimSpace(string(out)); msg != "" {
			return fmt.Errorf("%w: %s", err, msg)
		}
		return err
	}
	return nil
}

// warnHooks runs hooks whose failure the runtime-spec makes a warning
// (poststart, poststop): the lifecycle goes on.
func warnHooks(stage string, hooks []specs.Hook, st OCIState) {
	if err := runHooks(stage, hooks, st); err != nil {
		fmt.Fprintf(os.Stderr, "rt: warning: %v\n", err)
	}
}
