package main

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"google.golang.org/protobuf/proto"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// TestRunFunctionConcurrent calls one Function from many goroutines at once,
// as the SDK's gRPC server does, for the race detector (`make go-test` runs
// the *Concurrent tests under -race): the first reconcile of every example
// and test XR, the invalid ones' Fatal results, and the examples' steady
// states. Each response must equal the one the same request got alone.
func TestRunFunctionConcurrent(t *testing.T) {
	type call struct {
		name string
		req  *fnv1.RunFunctionRequest
		want *fnv1.RunFunctionResponse
	}
	fn := newTestFunction()
	var calls []call
	add := func(name string, req *fnv1.RunFunctionRequest) {
		rsp, err := fn.RunFunction(context.Background(), proto.CloneOf(req))
		if err != nil {
			t.Fatalf("%s: RunFunction returned an error: %v", name, err)
		}
		calls = append(calls, call{name: name, req: req, want: rsp})
	}
	for _, f := range exampleXRFiles(t) {
		add(f+"/FirstReconcile", newRequest(readObject(t, f), exampleInput(), nil))
	}
	for _, f := range []string{"example/xr.yaml", "example/legacy/xr.yaml", "example/production/xr.yaml"} {
		_, observed, xr := converge(t, readObject(t, f), exampleInput())
		add(f+"/SteadyState", newRequest(xr, exampleInput(), observed))
	}

	const goroutines = 8
	var wg sync.WaitGroup
	errs := make(chan error, goroutines*len(calls))
	for g := range goroutines {
		for i := range calls {
			// Each goroutine walks the calls from its own offset, so
			// different requests overlap.
			c := calls[(i+g*len(calls)/goroutines)%len(calls)]
			wg.Go(func() {
				// Its own copy, as each gRPC call has: what is shared is
				// only what the function itself shares between calls.
				got, err := fn.RunFunction(context.Background(), proto.CloneOf(c.req))
				if err != nil {
					errs <- fmt.Errorf("%s: RunFunction returned an error: %w", c.name, err)
					return
				}
				if !proto.Equal(got, c.want) {
					errs <- fmt.Errorf("%s: the response differs from the one the same request got alone", c.name)
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
