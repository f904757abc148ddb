GO ?= go
COMMIT := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS := -X main.commit=$(COMMIT)

.PHONY: all rt test unit integration run bench clean

all: rt

# rt links libc dynamically (cgo: the init stage is C); -trimpath keeps builds reproducible.
rt:
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o rt .

test: rt unit integration

unit:
	$(GO) test ./...

integration: rt
	bats -r tests/integration

# The demo: a busybox container showing its hostname, that it is pid 1, and its mounts.
run: rt
	./tests/demo.sh

bench: rt
	./bench/bench.sh

clean:
	rm -f rt
