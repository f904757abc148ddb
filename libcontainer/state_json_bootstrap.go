//go:build jsongen_bootstrap

package libcontainer

import specs "github.com/opencontainers/runtime-spec/specs-go"

// Stand-ins for state_json_gen.go while libcontainer/gen regenerates it:
// encoding/json does all the work.

func fastDecodeState(data []byte, v *State) bool { return false }

func fastEncodeState(v *State) []byte { return nil }

func fastDecodeProcess(data []byte, v *specs.Process) bool { return false }

func fastEncodeProcess(v *specs.Process) []byte { return nil }

func fastEncodeOCIState(v *OCIState) []byte { return nil }

func fastEncodeLinuxSeccomp(v *specs.LinuxSeccomp) []byte { return nil }
