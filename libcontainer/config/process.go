package config

import (
	"fmt"
	"os"
	"rt/jsongen"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// LoadProcess reads and validates a runtime-spec process object from a
// file (`rt exec --process`). Errors name the file and the field's JSON
// path from "process", as for config.json.
func LoadProcess(path string) (*specs.Process, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read process: %w", err)
	}
	p, err := ParseProcess(data)
	if err == nil {
		err = ValidateProcess(p)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// ParseProcess decodes a process object, reporting syntax errors by line
// and column and type errors by JSON path.
func ParseProcess(data []byte) (*specs.Process, error) {
	var p specs.Process
	err := jsongen.Decode(data, &p, fastDecodeProcess, func(data []byte, v *specs.Process) error { return decode(data, v, "process") })
	if err != nil {
		return nil, err
	}
	return &p, nil
}
