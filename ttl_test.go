package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/crossplane/function-sdk-go/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// TestResponseTTLAndReadiness checks which TTL the function returns and how
// it reports readiness: the short one while the XR waits (and the XR held
// back only when something is not composed yet), the long one once it is
// Available, with the XR's readiness left to Crossplane.
func TestResponseTTLAndReadiness(t *testing.T) {
	type want struct {
		ttl time.Duration
		// xrReady is the XR's own desired readiness.
		xrReady fnv1.Ready
		// derived is the XR's readiness as Crossplane derives it.
		derived bool
		reason  string
		// message is part of the Available condition's message.
		message string
	}
	steadyObserved, steadyXR := steadyState(t, "example/xr.yaml")
	cases := map[string]struct {
		reason string
		req    func() *fnv1.RunFunctionRequest
		want   want
	}{
		"FirstReconcile": {
			reason: "Nothing exists yet: the cluster is held back for its log groups, so the XR is held back too.",
			req: func() *fnv1.RunFunctionRequest {
				return newRequest(readObject(t, "example/xr.yaml"), exampleInput(), nil)
			},
			want: want{ttl: defaultWaitingTTL, xrReady: fnv1.Ready_READY_FALSE, reason: "WaitingForLogGroups"},
		},
		"SteadyState": {
			reason: "Everything is composed and Ready: the long TTL, and the XR's readiness derived from its resources.",
			req:    func() *fnv1.RunFunctionRequest { return newRequest(steadyXR, exampleInput(), steadyObserved) },
			want:   want{ttl: defaultSteadyStateTTL, xrReady: fnv1.Ready_READY_UNSPECIFIED, derived: true, reason: "Available"},
		},
		"ReadyButNotSynced": {
			reason: "A cluster the provider cannot update (or observe) still serves: it counts as ready, the XR stays Ready, and Available says what did not apply.",
			req: func() *fnv1.RunFunctionRequest {
				observed := cloneObserved(steadyObserved)
				setConditions(observed, "cluster", "True", "False", "cannot update: ThrottlingException: Rate exceeded")
				return newRequest(steadyXR, exampleInput(), observed)
			},
			want: want{ttl: defaultWaitingTTL, xrReady: fnv1.Ready_READY_UNSPECIFIED, derived: true, reason: "WaitingForResources",
				message: `ready but not synced: rds Cluster "cluster" (Synced=False: cannot update: ThrottlingException: Rate exceeded)`},
		},
		"NotReady": {
			reason: "An instance that stops being Ready makes the XR not ready through its own readiness, not the XR's.",
			req: func() *fnv1.RunFunctionRequest {
				observed := cloneObserved(steadyObserved)
				setConditions(observed, "instance-reader1", "False", "True", "")
				return newRequest(steadyXR, exampleInput(), observed)
			},
			want: want{ttl: defaultWaitingTTL, xrReady: fnv1.Ready_READY_UNSPECIFIED, reason: "WaitingForResources",
				message: `not ready yet: rds ClusterInstance "instance-reader1"`},
		},
		"WaitingForPassword": {
			reason: "passwordSecretRef's Secret is a required resource, which Crossplane does not watch: the short TTL brings it in.",
			req: func() *fnv1.RunFunctionRequest {
				xr := setSpec(readObject(t, "testdata/xr/rotation-off.yaml"), "credentials.passwordSecretRef", map[string]any{"name": "reports-db-initial", "key": "password"})
				return newRequest(xr, exampleInput(), nil)
			},
			want: want{ttl: defaultWaitingTTL, xrReady: fnv1.Ready_READY_FALSE, reason: "WaitingForPassword", message: "waiting for key"},
		},
		"InvalidSpec": {
			reason: "A Fatal result carries the waiting TTL (Crossplane retries it with back-off anyway).",
			req: func() *fnv1.RunFunctionRequest {
				return newRequest(setSpec(readObject(t, "example/xr.yaml"), "region", nil), exampleInput(), nil)
			},
			want: want{ttl: defaultWaitingTTL, xrReady: fnv1.Ready_READY_UNSPECIFIED, reason: reasonInvalidSpec, message: "spec.region: Required value"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rsp := run(t, tc.req())
			available := rsp.GetConditions()[len(rsp.GetConditions())-1]
			got := want{
				ttl:     rsp.GetMeta().GetTtl().AsDuration(),
				xrReady: rsp.GetDesired().GetComposite().GetReady(),
				derived: xrReady(rsp) && len(rsp.GetDesired().GetResources()) > 0,
				reason:  available.GetReason(),
				message: tc.want.message,
			}
			if !strings.Contains(available.GetMessage(), tc.want.message) {
				got.message = available.GetMessage()
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nRunFunction(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestSteadyStateIsStable calls the function again and again on the steady
// state of every example: the response must not change, or Crossplane would
// apply a new desired state, and the provider update AWS, at every call
// (churn). A random value, a timestamp, a map's order or an observed value
// that moves would show here. The bootstrap password is never generated
// once the cluster exists.
func TestSteadyStateIsStable(t *testing.T) {
	cases := map[string]struct {
		reason string
		xr     string
	}{
		"SelfManagedAWSRotator": {reason: "The main example: bootstrap handed off, rotator, endpoint, alarms.", xr: "example/xr.yaml"},
		"Legacy":                {reason: "A legacy XR publishes connection details instead of a Secret.", xr: "example/legacy/xr.yaml"},
		"Minimal":               {reason: "RDSManaged with every default.", xr: "testdata/xr/minimal.yaml"},
		"RDSManaged":            {reason: "RDS's secret and its rotation schedule.", xr: "testdata/xr/rds-managed.yaml"},
		"Serverless":            {reason: "Serverless v2 capacities are fractional numbers.", xr: "testdata/xr/serverless.yaml"},
		"S3Rotator":             {reason: "A rotator the function deploys from S3, with its role and policies.", xr: "testdata/xr/s3-rotator.yaml"},
		"ExistingLambda":        {reason: "An existing rotator and endpoint.", xr: "testdata/xr/existing-lambda.yaml"},
		"ExistingKey":           {reason: "An existing KMS key.", xr: "testdata/xr/existing-key.yaml"},
		"CustomPattern":         {reason: "Alarm overrides and a custom slow-query pattern.", xr: "testdata/xr/custom-pattern.yaml"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, observed, xr := converge(t, readObject(t, tc.xr), exampleInput())
			f := &Function{log: logging.NewNopLogger(), ttl: defaultTTLs, password: func() (string, error) {
				t.Errorf("%s\nthe bootstrap password was generated at steady state", tc.reason)
				return testPassword, nil
			}}
			var prev *fnv1.RunFunctionResponse
			for i := range 3 {
				rsp, err := f.RunFunction(context.Background(), newRequest(xr, exampleInput(), observed))
				if err != nil {
					t.Fatal(err)
				}
				if got := rsp.GetMeta().GetTtl().AsDuration(); got != defaultSteadyStateTTL {
					t.Errorf("%s\ncall %d: TTL %s, want the steady-state %s: %v", tc.reason, i, got, defaultSteadyStateTTL, rsp.GetConditions())
				}
				if prev != nil {
					if diff := cmp.Diff(prev, rsp, protocmp.Transform()); diff != "" {
						t.Errorf("%s\ncall %d: the response changed at steady state: -previous, +now:\n%s", tc.reason, i, diff)
					}
				}
				xr, prev = withStatus(xr, rsp.GetDesired().GetComposite().GetResource()), rsp
			}
		})
	}
}

func TestResponseTTLsValidate(t *testing.T) {
	cases := map[string]struct {
		reason string
		ttl    responseTTLs
		want   string
	}{
		"Defaults":      {reason: "The defaults are valid.", ttl: defaultTTLs},
		"Equal":         {reason: "One TTL for both is allowed (the e2e suite does so).", ttl: responseTTLs{steady: 15 * time.Second, waiting: 15 * time.Second}},
		"Zero":          {reason: "Crossplane reads 0 as never call again.", ttl: responseTTLs{steady: 0, waiting: time.Second}, want: "must be positive"},
		"Negative":      {reason: "A negative TTL means nothing.", ttl: responseTTLs{steady: time.Minute, waiting: -time.Second}, want: "must be positive"},
		"SteadyShorter": {reason: "Polling the steady state more often than a wait inverts the point.", ttl: responseTTLs{steady: time.Second, waiting: time.Minute}, want: "must not be shorter"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := ""
			if err := tc.ttl.validate(); err != nil {
				got = err.Error()
			}
			if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
				t.Errorf("%s\nvalidate(): got %q, want an error with %q", tc.reason, got, tc.want)
			}
		})
	}
}

// cloneObserved copies an observed state, so a case can change it.
func cloneObserved(o map[string]*fnv1.Resource) map[string]*fnv1.Resource {
	out := make(map[string]*fnv1.Resource, len(o))
	for n, r := range o {
		out[n] = &fnv1.Resource{Resource: mustStruct(r.GetResource().AsMap())}
	}
	return out
}

// setConditions sets an observed resource's Ready and Synced conditions,
// keeping the rest of its status.
func setConditions(o map[string]*fnv1.Resource, name, ready, synced, message string) {
	obj := o[name].GetResource().AsMap()
	st, _ := obj["status"].(map[string]any)
	if st == nil {
		st = map[string]any{}
	}
	st["conditions"] = []any{
		map[string]any{"type": "Ready", "status": ready, "reason": "Available"},
		map[string]any{"type": "Synced", "status": synced, "reason": "ReconcileError", "message": message},
	}
	obj["status"] = st
	o[name] = &fnv1.Resource{Resource: mustStruct(obj)}
}
