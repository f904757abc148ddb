package main

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/runtime-spec/specs-go/features"

	"rt/cli"
	"rt/libcontainer/capabilities"
	"rt/libcontainer/seccomp"
	"rt/rootfs"
)

var featuresCommand = &cli.Command{
	Name:  "features",
	Usage: "print what this build of rt supports (runtime-spec features JSON)",
	Action: func(ctx *cli.Context) error {
		t, f := true, false
		return printJSON(features.Features{
			OCIVersionMin: "1.0.0",
			OCIVersionMax: specs.Version,
			Hooks:         []string{"prestart", "createRuntime", "poststart", "poststop"},
			MountOptions:  rootfs.KnownOptions(),
			Linux: &features.Linux{
				Namespaces:      []string{"cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"},
				Capabilities:    capabilities.Known(),
				Cgroup:          &features.Cgroup{V1: &t, V2: &t, Systemd: &f, SystemdUser: &f, Rdma: &f},
				Seccomp:         seccomp.Features(),
				Apparmor:        &features.Apparmor{Enabled: &f},
				Selinux:         &features.Selinux{Enabled: &f},
				IntelRdt:        &features.IntelRdt{Enabled: &f},
				MountExtensions: &features.MountExtensions{IDMap: &features.IDMap{Enabled: &t}},
			},
			Annotations: map[string]string{"io.github.rt.version": version, "io.github.rt.commit": commit},
		})
	},
}
