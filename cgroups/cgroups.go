// Package cgroups creates, limits, freezes and removes one container's cgroups
// on the three host layouts rt runs on: cgroup v1 (one hierarchy per
// controller), hybrid (v1 controllers plus a cgroup2 tree at
// /sys/fs/cgroup/unified) and cgroup v2 (one unified tree).
//
// A Manager is a set of directories, one per hierarchy. It is created by New
// from linux.cgroupsPath, saved in the container's state (Paths) and rebuilt by
// Load in later commands, so no command has to rediscover the layout.
package cgroups
