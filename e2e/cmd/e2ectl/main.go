// Command e2ectl is what hack/e2e-cluster.sh needs from the API server
// without kubectl:
//
//	e2ectl -kubeconfig FILE apply PATH...                  server-side apply YAML files and directories (CRDs waited for)
//	e2ectl -kubeconfig FILE wait-xrds NAME...              wait until Crossplane established the XRDs
//	e2ectl -kubeconfig FILE register-function NAME PACKAGE ENDPOINT
//	                                                       a paused Function and FunctionRevision pointing at ENDPOINT
//	e2ectl -kubeconfig FILE apply-compositions FUNCTION ACCOUNT PATH...
//	                                                       Compositions with input.accountId ACCOUNT in FUNCTION's steps
//	e2ectl -kubeconfig FILE apply-webhooks URL CA-FILE PATH...
//	                                                       webhook configurations calling URL + each webhook's
//	                                                       service path, trusting CA-FILE, instead of a Service
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/function-aurora-postgres/function-aurora-postgres/e2e/kube"
)

func main() {
	kubeconfig := flag.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig of the API server")
	timeout := flag.Duration("timeout", 5*time.Minute, "give up after this long")
	flag.Parse()
	args := flag.Args()
	if len(args) == 0 || *kubeconfig == "" {
		fmt.Fprintln(os.Stderr, "usage: e2ectl -kubeconfig FILE apply|wait-xrds|register-function|apply-compositions|apply-webhooks ARGS...")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if err := run(ctx, *kubeconfig, args[0], args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "e2ectl %s: %v\n", args[0], err)
		os.Exit(1)
	}
}

func run(ctx context.Context, kubeconfig, cmd string, args []string) error {
	c, err := kube.New(kubeconfig)
	if err != nil {
		return err
	}
	switch cmd {
	case "apply":
		objs, err := c.ApplyFiles(ctx, args...)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "applied %d objects from %v\n", len(objs), args)
		return nil
	case "wait-xrds":
		return c.WaitXRDsEstablished(ctx, args...)
	case "register-function":
		if len(args) != 3 {
			return fmt.Errorf("want NAME PACKAGE ENDPOINT, got %v", args)
		}
		return c.RegisterFunction(ctx, args[0], args[1], args[2])
	case "apply-compositions":
		if len(args) < 3 {
			return fmt.Errorf("want FUNCTION ACCOUNT PATH..., got %v", args)
		}
		objs, err := kube.ReadObjects(args[2:]...)
		if err != nil {
			return err
		}
		for _, u := range objs {
			if err := setInputAccount(u, args[0], args[1]); err != nil {
				return err
			}
			if _, err := c.Apply(ctx, u); err != nil {
				return err
			}
		}
		fmt.Fprintf(os.Stderr, "applied %d Compositions from %v, account %s\n", len(objs), args[2:], args[1])
		return nil
	case "apply-webhooks":
		if len(args) < 3 {
			return fmt.Errorf("want URL CA-FILE PATH..., got %v", args)
		}
		ca, err := os.ReadFile(args[1])
		if err != nil {
			return fmt.Errorf("cannot read the webhook CA: %w", err)
		}
		names, err := c.ApplyWebhookConfigurations(ctx, args[0], ca, args[2:]...)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "applied %s, calling %s\n", strings.Join(names, ", "), args[0])
		return nil
	default:
		return fmt.Errorf("unknown command %q", cmd)
	}
}

// setInputAccount sets input.accountId in every pipeline step of a
// Composition that calls the named function.
func setInputAccount(u *unstructured.Unstructured, function, account string) error {
	if u.GetKind() != "Composition" {
		return fmt.Errorf("%s %s is not a Composition", u.GetKind(), u.GetName())
	}
	steps, _, err := unstructured.NestedSlice(u.Object, "spec", "pipeline")
	if err != nil {
		return fmt.Errorf("Composition %s: %w", u.GetName(), err)
	}
	found := false
	for _, st := range steps {
		m, _ := st.(map[string]any)
		if name, _, _ := unstructured.NestedString(m, "functionRef", "name"); name != function {
			continue
		}
		if err := unstructured.SetNestedField(m, account, "input", "accountId"); err != nil {
			return fmt.Errorf("Composition %s: %w", u.GetName(), err)
		}
		found = true
	}
	if !found {
		return fmt.Errorf("Composition %s has no step calling %s", u.GetName(), function)
	}
	return unstructured.SetNestedSlice(u.Object, steps, "spec", "pipeline")
}
