package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/proto"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// scenario is one saved request, sent as is.
type scenario struct {
	name    string
	request *fnv1.RunFunctionRequest
	wire    []byte
}

func loadScenario(dir, name string) (scenario, error) {
	path := filepath.Join(dir, name+".request.binpb")
	b, err := os.ReadFile(path)
	if err != nil {
		return scenario{}, fmt.Errorf("%w (go test -run TestBenchRequests -update-bench writes it)", err)
	}
	req := &fnv1.RunFunctionRequest{}
	if err := proto.Unmarshal(b, req); err != nil {
		return scenario{}, fmt.Errorf("%s: %w", path, err)
	}
	return scenario{name: name, request: req, wire: b}, nil
}

// server is one gRPC function server under test.
type server struct {
	name    string
	address string
	pid     int
	conn    *grpc.ClientConn
}

func (s *server) connect() error {
	conn, err := grpc.NewClient(s.address,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(64*1024*1024)))
	if err != nil {
		return fmt.Errorf("%s: %w", s.name, err)
	}
	s.conn = conn
	return nil
}

func (s *server) close() {
	if s.conn != nil {
		_ = s.conn.Close()
	}
}

// summary is what a server answered to a scenario, decoded once.
type summary struct {
	bytes, resources int
	fatal            string
}

// verify sends the scenario once with the real codec and checks the answer.
func (s *server) verify(ctx context.Context, sc scenario) (summary, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	rsp, err := fnv1.NewFunctionRunnerServiceClient(s.conn).RunFunction(ctx, sc.request, grpc.WaitForReady(true))
	if err != nil {
		return summary{}, err
	}
	sum := summary{bytes: proto.Size(rsp), resources: len(rsp.GetDesired().GetResources())}
	for _, r := range rsp.GetResults() {
		if r.GetSeverity() == fnv1.Severity_SEVERITY_FATAL {
			return sum, fmt.Errorf("fatal result: %s", r.GetMessage())
		}
	}
	return sum, nil
}

// rawMessage is a request already in wire form, or a response left in it.
type rawMessage struct {
	b []byte
	n int
}

// rawCodec sends pre-encoded requests and does not decode responses, so the
// load generator's own work is small and the same for both servers. Servers
// still see ordinary protobuf.
type rawCodec struct{}

func (rawCodec) Marshal(v any) (mem.BufferSlice, error) {
	return mem.BufferSlice{mem.SliceBuffer(v.(*rawMessage).b)}, nil
}

func (rawCodec) Unmarshal(data mem.BufferSlice, v any) error {
	v.(*rawMessage).n = data.Len()
	return nil
}

func (rawCodec) Name() string { return "proto" }

// batch is the outcome of one batch of requests to one server.
type batch struct {
	latencies []time.Duration
	wall      time.Duration
	cpu       time.Duration // the server's CPU time during the batch
}

// send runs n requests over c workers.
func (s *server) send(ctx context.Context, sc scenario, n, c int, timeout time.Duration) (batch, error) {
	var (
		next    atomic.Int64
		mu      sync.Mutex
		lats    = make([]time.Duration, 0, n)
		firstEr error
		wg      sync.WaitGroup
	)
	cpu0 := readCPU(s.pid)
	start := time.Now()
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			own := make([]time.Duration, 0, n/c+1)
			defer func() {
				mu.Lock()
				lats = append(lats, own...)
				mu.Unlock()
			}()
			for next.Add(1) <= int64(n) && ctx.Err() == nil {
				rctx, cancel := context.WithTimeout(ctx, timeout)
				t := time.Now()
				err := s.conn.Invoke(rctx, fnv1.FunctionRunnerService_RunFunction_FullMethodName,
					&rawMessage{b: sc.wire}, &rawMessage{}, grpc.ForceCodecV2(rawCodec{}))
				d := time.Since(t)
				cancel()
				if err != nil {
					mu.Lock()
					if firstEr == nil {
						firstEr = err
					}
					mu.Unlock()
					return
				}
				own = append(own, d)
			}
		}()
	}
	wg.Wait()
	b := batch{wall: time.Since(start), cpu: readCPU(s.pid) - cpu0}
	b.latencies = lats
	if firstEr == nil && ctx.Err() != nil {
		firstEr = fmt.Errorf("stopped after -max-duration: %w", ctx.Err())
	}
	return b, firstEr
}

// stats summarises one server's batches in one cell.
type stats struct {
	n          int
	p50, p99   time.Duration
	rps        float64
	cpuPerReq  time.Duration
	cpuMeasure bool
}

func summarise(bs []batch) stats {
	var all []time.Duration
	var wall, cpu time.Duration
	cpuOK := true
	for _, b := range bs {
		all = append(all, b.latencies...)
		wall += b.wall
		if b.cpu < 0 {
			cpuOK = false
		}
		cpu += b.cpu
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	st := stats{n: len(all), p50: percentile(all, 50), p99: percentile(all, 99), cpuMeasure: cpuOK && len(all) > 0}
	if wall > 0 {
		st.rps = float64(len(all)) / wall.Seconds()
	}
	if st.cpuMeasure {
		st.cpuPerReq = cpu / time.Duration(len(all))
	}
	return st
}

// cell is one scenario at one concurrency, for both servers.
type cell struct {
	scenario    string
	concurrency int
	requests    int // asked for, per server
	fn, echo    stats
}

// runCell warms both servers up, then sends the requests in rounds,
// alternating which server goes first, so drift on the machine hits both.
func runCell(ctx context.Context, c *config, sc scenario, conc int, fn, echo *server) (*cell, error) {
	for _, s := range []*server{fn, echo} {
		if c.warmup > 0 {
			if _, err := s.send(ctx, sc, c.warmup, conc, c.timeout); err != nil {
				return nil, fmt.Errorf("warm-up of %s: %w", s.name, err)
			}
		}
	}
	var fb, eb []batch
	per := c.requests / c.rounds
	var err error
	for r := range c.rounds {
		n := per
		if r == c.rounds-1 {
			n = c.requests - per*(c.rounds-1)
		}
		order := []*server{fn, echo}
		if r%2 == 1 {
			order = []*server{echo, fn}
		}
		for _, s := range order {
			b, e := s.send(ctx, sc, n, conc, c.timeout)
			if s == fn {
				fb = append(fb, b)
			} else {
				eb = append(eb, b)
			}
			if e != nil {
				err = errors.Join(err, fmt.Errorf("%s: %w", s.name, e))
			}
		}
		if err != nil {
			break
		}
	}
	return &cell{scenario: sc.name, concurrency: conc, requests: c.requests, fn: summarise(fb), echo: summarise(eb)}, err
}
