GO ?= go
COMMIT := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS := -X main.commit=$(COMMIT)

.PHONY: all rt test unit integration vm-test run bench clean

all: rt

# cgo: the init stage (nsenter/) is C. Always rebuilt: go build is incremental.
rt:
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o rt .

# Everything CI runs (installs what it needs first).
test:
	./scripts/test.sh

unit:
	$(GO) test ./...

integration: rt
	bats -r tests/integration

# The cgroup tests in qemu guests on layouts this host lacks (pure v2; add
# v1 with VM_LAYOUTS="v2 v1"). Installs qemu and fetches a kernel itself.
VM_LAYOUTS ?= v2
vm-test:
	./tests/vm/run.sh $(VM_LAYOUTS)

# The demo: a busybox container showing its hostname, that it is pid 1, its mounts.
run:
	./scripts/demo.sh

bench: rt
	./bench/bench.sh

clean:
	rm -f rt
