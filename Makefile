# Toolchain entry points. Tools are pinned in tools/*/go.mod and built on demand
# by hack/tool.sh into $${AURORA_FN_CACHE:-$${XDG_CACHE_HOME:-$$HOME/.cache}/function-aurora-postgres}.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
export GONOSUMDB ?= k8s.io,sigs.k8s.io,github.com/crossplane

# Overridable inputs for `make render` (see hack/render.sh).
XR ?= example/xr.yaml
COMPOSITION ?= apis/namespaced/composition.yaml
FUNCTIONS ?= example/functions.yaml
# The platform's EnvironmentConfig data (the AWS account); ENVIRONMENT= for none.
ENVIRONMENT ?= example/environment.yaml
export XR COMPOSITION FUNCTIONS OBSERVED XRD ENVIRONMENT
RENDER_FLAGS ?=

XRDS := $(wildcard apis/*/definition.yaml)

.PHONY: all tools crds generate check-repo verify-generated verify-xrds build go-test e2e readme readme-update e2e-cluster e2e-cluster-up e2e-cluster-down package test render render-validate validate clean

all: test

## tools: build all pinned tools (crossplane CLI, crossplane core, controller-gen, kube-apiserver, garbage-collector)
tools:
	@hack/tool.sh crossplane
	@hack/tool.sh crossplane-core
	@hack/tool.sh controller-gen
	@hack/tool.sh kube-apiserver
	@hack/tool.sh garbage-collector

## crds: cache the provider-aws CRDs listed in hack/crd-kinds.txt
crds:
	@hack/crds.sh

## generate: generate deepcopy code and the input CRD into package/input, the provider-aws types into internal/aws, both XRDs from apis/schema.yaml, and the reference table internal/fakeprovider/zz_generated_references.go from provider-aws's resolvers (in the e2e module, which links provider-aws)
generate:
	"$$(hack/tool.sh controller-gen)" paths=./input/... object crd:crdVersions=v1 output:artifacts:config=package/input
	go generate ./internal/aws
	go run ./internal/gen/xrds
	cd e2e && go run ./cmd/genrefs

# The generator's flags, read from its go:generate line in internal/aws/doc.go: one place.
AWSTYPES_FLAGS = $$(sed -n 's|^//go:generate go run ../gen/awstypes ||p' doc.go)

## check-repo: fail if git tracks a file over 1 MiB outside testdata/ (build output, binaries)
check-repo:
	@big=$$(git ls-files -z | xargs -0 -r stat -c '%s %n' 2>/dev/null | awk '$$1 > 1048576 && $$2 !~ /^testdata\// {print $$2}'); \
	if [ -n "$$big" ]; then echo "tracked files over 1 MiB outside testdata/ (build output? remove them and ignore them): $$big" >&2; exit 1; fi

## verify-generated: fail if internal/aws or the XRDs differ from what make generate would write
verify-generated: verify-xrds
	cd internal/aws && go run ../gen/awstypes -verify $(AWSTYPES_FLAGS)

## verify-xrds: fail if apis/*/definition.yaml differs from what internal/gen/xrds writes from apis/schema.yaml
verify-xrds:
	go run ./internal/gen/xrds -verify

## build: build the function binary into bin/function
build:
	go build -o bin/function .

## render: render $(XR) with $(COMPOSITION) (RENDER_FLAGS adds crossplane render flags)
render:
	@hack/render.sh $(RENDER_FLAGS)

## render-validate: render, then validate the output against CRDs and XRDs
render-validate:
	@hack/render.sh -r -x $(RENDER_FLAGS) | hack/validate.sh $(addprefix --xrd ,$(XRDS)) -

## validate FILES="a.yaml b.yaml": validate resource files against CRDs and XRDs
validate:
	@hack/validate.sh $(addprefix --xrd ,$(XRDS)) $(FILES)

go-test: verify-generated check-repo
	@date -u +'[%T] go-test'
	go vet ./...
	go test ./...
	@date -u +'[%T] go-test: race'
	# The race detector on the tests that call the function and its encoder
	# from many goroutines at once, as the gRPC server does (*Concurrent):
	# races need concurrency, and the rest under -race took nearly 3 minutes
	# of a cold CI run. It needs cgo, whatever CGO_ENABLED the rest builds with.
	CGO_ENABLED=1 go test -race -run 'Concurrent' ./...
	@date -u +'[%T] go-test: benchmarks, fuzzers'
	# Benchmarks as a smoke run only: a broken benchmark fails, timing never does.
	go test -run '^$$' -bench . -benchtime 100x .
	# Fuzzing, bounded: each target explores a fixed number of inputs from its
	# seeds (f.Add and testdata/fuzz/), 10 to 20 s each on 2 cores. A count,
	# not a duration: a duration's deadline can fail a run that found nothing
	# ("context deadline exceeded", go.dev/issue/75804). Each starts from its
	# seeds, not from what earlier runs cached (which would replace exploring
	# with replaying), and does not minimize what it finds, which would spend
	# the budget; a failing input is written to testdata/fuzz/ as found.
	# Longer runs: go test -run '^$$' -fuzz '^FuzzLifecycle$$' -fuzztime 10m .
	fuzzcache="$$(go env GOCACHE)/fuzz/$$(go list .)"; \
	for target in FuzzTypedStruct:200 FuzzRunFunction:8000 FuzzValidate:10000 FuzzLifecycle:400; do \
		rm -rf "$$fuzzcache/$${target%%:*}"; \
		go test -vet=off -run '^$$' -fuzz "^$${target%%:*}\$$" -fuzztime "$${target#*:}x" -fuzzminimizetime 0 . || exit 1; \
	done

## e2e: render all examples, validate outputs, golden files and example XRs, then run the commands README.md and docs/ show and check their output samples
e2e:
	@hack/e2e.sh
	@hack/readme.sh

## readme: run the commands README.md and docs/ show and check their output samples (part of make e2e)
readme:
	@hack/readme.sh

## readme-update: rewrite the output samples in README.md and docs/ from real output
readme-update:
	@hack/readme.sh --update

## e2e-cluster: start etcd, kube-apiserver, Crossplane core and the function on loopback, run the e2e suite (e2e/), stop everything
e2e-cluster:
	@hack/e2e-cluster.sh test

## e2e-cluster-up: start that control plane and leave it running (then: make e2e-cluster-down)
e2e-cluster-up:
	@hack/e2e-cluster.sh up

e2e-cluster-down:
	@hack/e2e-cluster.sh down

## package: build the runtime image tarball and both .xpkg files into bin/package without Docker, and inspect them
package:
	@hack/package.sh

## test: go tests, render + offline validation, packages, then the e2e suite on a real control plane
test: go-test e2e package e2e-cluster

clean:
	rm -rf bin
