package libcontainer

import (
	"rt/cgroups"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// cgroupResources returns the resources to write into the container's
// cgroup: the spec's own, with its device rules followed by an allow rule
// for every device of linux.devices and then the default allowed devices,
// the order runc uses, so a spec's leading "deny all" still leaves the
// container its /dev.
func cgroupResources(spec *specs.Spec) *specs.LinuxResources {
	var res specs.LinuxResources
	if spec.Linux.Resources != nil {
		res = *spec.Linux.Resources
	}
	rules := make([]specs.LinuxDeviceCgroup, 0, len(res.Devices)+len(spec.Linux.Devices)+11)
	rules = append(rules, res.Devices...)
	for _, d := range spec.Linux.Devices {
		t := d.Type
		switch t {
		case "u":
			t = "c"
		case "c", "b":
		default:
			continue // fifos are not device-cgroup objects
		}
		major, minor := d.Major, d.Minor
		rules = append(rules, specs.LinuxDeviceCgroup{Allow: true, Type: t, Major: &major, Minor: &minor, Access: "rwm"})
	}
	res.Devices = append(rules, cgroups.DefaultDeviceRules()...)
	return &res
}
