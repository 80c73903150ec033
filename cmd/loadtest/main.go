// Command loadtest drives the running function over gRPC with saved
// RunFunctionRequests and compares it with an echo reference: an empty
// function, built with the same SDK and served the same way, that decodes
// each request's observed state and returns the function's own desired
// state for it (prebuilt), so both send same-sized responses.
//
// It runs every scenario (testdata/bench/<scenario>.request.binpb) at each
// concurrency, interleaving batches to the function and to the echo server
// so both see the same machine, and prints p50/p99 latency, requests per
// second, server CPU per request, each server's peak RSS (VmHWM) and their
// start-to-serving time, with the ratios function/echo from the same run.
// Everything listens on loopback only and every run is bounded by
// -requests and -max-duration.
//
//	go run ./cmd/loadtest -function-binary ./function   # starts the function itself
//	hack/loadtest.sh                                    # builds and starts both, see there
//
// Subcommands, used by the tool itself and hack/loadtest.sh:
//
//	loadtest echo -address 127.0.0.1:PORT -fixtures testdata/bench
//	loadtest freeport
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "echo":
			if err := serveEcho(os.Args[2:]); err != nil {
				fmt.Fprintln(os.Stderr, "loadtest echo:", err)
				os.Exit(1)
			}
			return
		case "freeport":
			port, err := freePort()
			if err != nil {
				fmt.Fprintln(os.Stderr, "loadtest freeport:", err)
				os.Exit(1)
			}
			fmt.Println(port)
			return
		}
	}
	if err := run(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

// config is the load test's flags.
type config struct {
	functionAddress string
	functionPID     int
	functionBinary  string
	fixtures        string
	scenarios       []string
	concurrency     []int
	requests        int
	warmup          int
	rounds          int
	starts          int
	maxDuration     time.Duration
	timeout         time.Duration
	markdown        bool
}

func parseFlags(args []string) (*config, error) {
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage:
  loadtest [flags]     load-test the function against the echo reference
  loadtest echo -address 127.0.0.1:PORT -fixtures DIR
                       serve the echo reference (the tool starts it itself)
  loadtest freeport    print a free TCP port on 127.0.0.1

Flags:
`)
		fs.PrintDefaults()
	}
	c := &config{}
	var scenarios, concurrency string
	fs.StringVar(&c.functionAddress, "function-address", "", "address of a running function (host:port on loopback); empty: start -function-binary on a free loopback port")
	fs.IntVar(&c.functionPID, "function-pid", 0, "PID of the function at -function-address, for its RSS and CPU time")
	fs.StringVar(&c.functionBinary, "function-binary", "", "the function binary: started to measure start-to-serving, and to serve the load when -function-address is empty")
	fs.StringVar(&c.fixtures, "fixtures", "testdata/bench", "directory of <scenario>.request.binpb and <scenario>.response.binpb (go test -run TestBenchRequests -update-bench)")
	fs.StringVar(&scenarios, "scenarios", "first-reconcile,steady-state", "scenarios to run, comma-separated")
	fs.StringVar(&concurrency, "concurrency", "1,8", "concurrent requests, comma-separated")
	fs.IntVar(&c.requests, "requests", 1000, "measured requests per server, scenario and concurrency")
	fs.IntVar(&c.warmup, "warmup", 100, "unmeasured requests per server, scenario and concurrency, first")
	fs.IntVar(&c.rounds, "rounds", 5, "batches the requests are split into, alternating function and echo")
	fs.IntVar(&c.starts, "starts", 5, "process starts measured per binary (0: skip)")
	fs.DurationVar(&c.maxDuration, "max-duration", 3*time.Minute, "stop the load (and report what was measured) after this long")
	fs.DurationVar(&c.timeout, "timeout", 10*time.Second, "timeout of one request")
	fs.BoolVar(&c.markdown, "markdown", false, "print the results as Markdown tables")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	for _, s := range strings.Split(scenarios, ",") {
		if s = strings.TrimSpace(s); s != "" {
			c.scenarios = append(c.scenarios, s)
		}
	}
	for _, s := range strings.Split(concurrency, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-concurrency: %q is not a positive integer", s)
		}
		c.concurrency = append(c.concurrency, n)
	}
	switch {
	case c.functionAddress == "" && c.functionBinary == "":
		return nil, fmt.Errorf("set -function-binary, or -function-address and -function-pid")
	case c.functionAddress != "" && c.functionPID == 0:
		return nil, fmt.Errorf("-function-address needs -function-pid (for RSS and CPU time)")
	case c.requests < 1 || c.rounds < 1 || c.requests < c.rounds:
		return nil, fmt.Errorf("-requests must be at least -rounds, and both positive")
	}
	if c.functionAddress != "" {
		if err := loopbackOnly(c.functionAddress); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func run(args []string) error {
	c, err := parseFlags(args)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.maxDuration)
	defer cancel()

	scenarios := make([]scenario, 0, len(c.scenarios))
	for _, name := range c.scenarios {
		s, err := loadScenario(c.fixtures, name)
		if err != nil {
			return err
		}
		scenarios = append(scenarios, s)
	}

	self, err := os.Executable()
	if err != nil {
		return err
	}
	fixtures, err := filepath.Abs(c.fixtures)
	if err != nil {
		return err
	}
	echoArgs := func(addr string) []string { return []string{"echo", "-address", addr, "-fixtures", fixtures} }
	fnArgs := func(addr string) []string { return []string{"--insecure", "--address", addr} }

	// Start-to-serving first, while nothing else runs.
	var starts []startResult
	if c.starts > 0 {
		probe := scenarios[0].request
		if c.functionBinary != "" {
			r, err := measureStarts("function", c.functionBinary, fnArgs, probe, c.starts)
			if err != nil {
				return err
			}
			starts = append(starts, r)
		}
		r, err := measureStarts("echo", self, echoArgs, probe, c.starts)
		if err != nil {
			return err
		}
		starts = append(starts, r)
	}

	fn := &server{name: "function", address: c.functionAddress, pid: c.functionPID}
	if fn.address == "" {
		p, err := startServer(c.functionBinary, fnArgs, scenarios[0].request)
		if err != nil {
			return fmt.Errorf("cannot start the function: %w", err)
		}
		defer p.stop()
		fn.address, fn.pid = p.address, p.cmd.Process.Pid
	}
	ep, err := startServer(self, echoArgs, scenarios[0].request)
	if err != nil {
		return fmt.Errorf("cannot start the echo server: %w", err)
	}
	defer ep.stop()
	echo := &server{name: "echo", address: ep.address, pid: ep.cmd.Process.Pid}
	for _, s := range []*server{fn, echo} {
		if err := s.connect(); err != nil {
			return err
		}
		defer s.close()
	}

	// Check both answer every scenario, and how big their answers are.
	checks := make([]check, 0, len(scenarios))
	for _, sc := range scenarios {
		ck := check{scenario: sc.name}
		for i, s := range []*server{fn, echo} {
			sum, err := s.verify(ctx, sc)
			if err != nil {
				return fmt.Errorf("%s, %s: %w", s.name, sc.name, err)
			}
			ck.servers[i] = sum
		}
		checks = append(checks, ck)
	}
	idle := [2]memory{readMemory(fn.pid), readMemory(echo.pid)}

	var cells []cell
load:
	for _, sc := range scenarios {
		for _, conc := range c.concurrency {
			cl, err := runCell(ctx, c, sc, conc, fn, echo)
			if cl != nil {
				cells = append(cells, *cl)
			}
			if err != nil {
				// Report what was measured; a cell cut short says so here.
				fmt.Fprintf(os.Stderr, "loadtest: %s c=%d: %v\n", sc.name, conc, err)
				if ctx.Err() != nil {
					break load
				}
			}
		}
	}
	peak := [2]memory{readMemory(fn.pid), readMemory(echo.pid)}

	report(os.Stdout, c, checks, cells, idle, peak, starts)
	return nil
}

// loopbackOnly refuses addresses that are not on the loopback interface.
func loopbackOnly(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("%s is not a loopback address: the load test runs on loopback only", addr)
}

// freePort is a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close() //nolint:errcheck // Only its port was needed.
	return l.Addr().(*net.TCPAddr).Port, nil
}

// percentile is the nearest-rank percentile of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p/100*float64(len(sorted))+0.5) - 1
	i = max(0, min(i, len(sorted)-1))
	return sorted[i]
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return percentile(s, 50)
}
