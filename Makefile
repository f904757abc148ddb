GO ?= go
COMMIT := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS := -X main.commit=$(COMMIT)

.PHONY: all rt recvtty test unit integration run bench clean

all: rt recvtty

# cgo: the init stage (nsenter/) is C. Always rebuilt: go build is incremental.
rt:
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o rt .

# A console-socket receiver for tests and users (rt create --console-socket).
recvtty:
	$(GO) build -trimpath -o contrib/cmd/recvtty/recvtty ./contrib/cmd/recvtty

# Everything CI runs (installs what it needs first).
test:
	./scripts/test.sh

unit:
	$(GO) test ./...

integration: rt recvtty
	bats -r tests/integration

# The demo: a busybox container showing its hostname, that it is pid 1, its mounts.
run:
	./scripts/demo.sh

bench: rt
	./bench/bench.sh

clean:
	rm -f rt contrib/cmd/recvtty/recvtty
