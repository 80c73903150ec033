package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/crossplane/function-sdk-go"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/request"
	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/resource/composed"
	"github.com/crossplane/function-sdk-go/response"
)

// echoFunction is the reference: a function that does no work of its own.
// Like every function built with the SDK it decodes the request's observed
// state (the fixed cost the function is compared against) and encodes a
// desired state; the desired state is the one the real function returned
// for the same request (<tag>.response.binpb, prebuilt at start-up), so both
// servers send same-sized responses. For a request with no saved response
// it returns the observed composed resources, without status, as desired.
type echoFunction struct {
	fnv1.UnimplementedFunctionRunnerServiceServer

	canned map[string]cannedState
}

// cannedState is a saved desired state in the SDK's types.
type cannedState struct {
	xr        *resource.Composite
	resources map[resource.Name]*resource.DesiredComposed
}

func (e *echoFunction) RunFunction(_ context.Context, req *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error) {
	oxr, err := request.GetObservedCompositeResource(req)
	if err != nil {
		return nil, err
	}
	ocds, err := request.GetObservedComposedResources(req)
	if err != nil {
		return nil, err
	}
	rsp := response.To(req, response.DefaultTTL)
	st, ok := e.canned[req.GetMeta().GetTag()]
	if !ok {
		st = cannedState{xr: oxr, resources: make(map[resource.Name]*resource.DesiredComposed, len(ocds))}
		for n, oc := range ocds {
			obj := make(map[string]any, len(oc.Resource.Object))
			for k, v := range oc.Resource.Object {
				if k != "status" {
					obj[k] = v
				}
			}
			cd := composed.New()
			cd.SetUnstructuredContent(obj)
			st.resources[n] = &resource.DesiredComposed{Resource: cd, Ready: resource.ReadyTrue}
		}
	}
	if err := response.SetDesiredCompositeResource(rsp, st.xr); err != nil {
		return nil, err
	}
	if err := response.SetDesiredComposedResources(rsp, st.resources); err != nil {
		return nil, err
	}
	response.ConditionTrue(rsp, "Available", "Available").TargetCompositeAndClaim()
	return rsp, nil
}

// loadCanned reads every <tag>.response.binpb in dir.
func loadCanned(dir string) (map[string]cannedState, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.response.binpb"))
	if err != nil {
		return nil, err
	}
	canned := make(map[string]cannedState, len(paths))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		rsp := &fnv1.RunFunctionResponse{}
		if err := proto.Unmarshal(b, rsp); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		in := &fnv1.RunFunctionRequest{Desired: rsp.GetDesired()}
		xr, err := request.GetDesiredCompositeResource(in)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		rs, err := request.GetDesiredComposedResources(in)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		switch rsp.GetDesired().GetComposite().GetReady() {
		case fnv1.Ready_READY_TRUE:
			xr.Ready = resource.ReadyTrue
		case fnv1.Ready_READY_FALSE:
			xr.Ready = resource.ReadyFalse
		}
		for n, r := range rsp.GetDesired().GetResources() {
			switch r.GetReady() {
			case fnv1.Ready_READY_TRUE:
				rs[resource.Name(n)].Ready = resource.ReadyTrue
			case fnv1.Ready_READY_FALSE:
				rs[resource.Name(n)].Ready = resource.ReadyFalse
			}
		}
		canned[strings.TrimSuffix(filepath.Base(p), ".response.binpb")] = cannedState{xr: xr, resources: rs}
	}
	return canned, nil
}

// serveEcho is the echo subcommand: it serves echoFunction the way the
// function's main.go serves the function (function.Serve: the same gRPC
// server, interceptors and logger), on loopback.
func serveEcho(args []string) error {
	fs := flag.NewFlagSet("loadtest echo", flag.ContinueOnError)
	addr := fs.String("address", "127.0.0.1:9444", "loopback address to serve on")
	fixtures := fs.String("fixtures", "testdata/bench", "directory of <tag>.response.binpb: the desired state to return for requests with that meta tag")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := loopbackOnly(*addr); err != nil {
		return err
	}
	canned, err := loadCanned(*fixtures)
	if err != nil {
		return err
	}
	log, err := function.NewLogger(false)
	if err != nil {
		return err
	}
	_ = log // Created as main.go does; the echo function logs nothing.
	return function.Serve(&echoFunction{canned: canned},
		function.Listen("tcp", *addr),
		function.Insecure(true),
		// The function's main.go keeps the SDK's metrics server (on :8080);
		// the echo server keeps one too, for the same interceptor, on a
		// loopback port of its own.
		function.WithMetricsServer("127.0.0.1:0"),
		function.MaxRecvMessageSize(4*1024*1024))
}
