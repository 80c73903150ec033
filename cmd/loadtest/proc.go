package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// process is a server the tool started.
type process struct {
	cmd     *exec.Cmd
	address string
	done    chan struct{}
}

// startServer starts binary with args(address) on a free loopback port and
// waits until it answers probe.
func startServer(binary string, args func(addr string) []string, probe *fnv1.RunFunctionRequest) (*process, error) {
	p, _, err := startTimed(binary, args, probe)
	return p, err
}

// startTimed starts a server and measures the time from spawning it to its
// first successful RunFunction.
func startTimed(binary string, args func(addr string) []string, probe *fnv1.RunFunctionRequest) (*process, time.Duration, error) {
	port, err := freePort()
	if err != nil {
		return nil, 0, err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	cmd := exec.Command(binary, args(addr)...) //nolint:gosec // The binaries are the tool's own and the one it was given.
	cmd.Stdout = os.Stderr
	cmd.Stderr = os.Stderr
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, 0, err
	}
	p := &process{cmd: cmd, address: addr, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(p.done)
	}()
	if err := p.waitServing(probe, 20*time.Second); err != nil {
		p.stop()
		return nil, 0, fmt.Errorf("%s: %w", binary, err)
	}
	return p, time.Since(t0), nil
}

// waitServing polls until the server accepts a connection, then until a
// RunFunction succeeds.
func (p *process) waitServing(probe *fnv1.RunFunctionRequest, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		select {
		case <-p.done:
			return fmt.Errorf("exited before serving: %v", p.cmd.ProcessState)
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not serving after %s", limit)
		}
		c, err := net.DialTimeout("tcp", p.address, 100*time.Millisecond)
		if err == nil {
			_ = c.Close()
			break
		}
		time.Sleep(500 * time.Microsecond)
	}
	conn, err := grpc.NewClient(p.address, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close() //nolint:errcheck // Only the probe used it.
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	_, err = fnv1.NewFunctionRunnerServiceClient(conn).RunFunction(ctx, probe, grpc.WaitForReady(true))
	return err
}

// stop ends the process the tool started, by its PID, and waits for it.
func (p *process) stop() {
	if p == nil || p.cmd.Process == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// startResult is the start-to-serving time of one binary.
type startResult struct {
	name     string
	samples  []time.Duration
	med, max time.Duration
}

// measureStarts starts the binary n times, one at a time.
func measureStarts(name, binary string, args func(addr string) []string, probe *fnv1.RunFunctionRequest, n int) (startResult, error) {
	r := startResult{name: name}
	for range n {
		p, d, err := startTimed(binary, args, probe)
		if err != nil {
			return r, fmt.Errorf("start-to-serving of %s: %w", name, err)
		}
		p.stop()
		r.samples = append(r.samples, d)
		r.max = max(r.max, d)
	}
	r.med = median(r.samples)
	return r, nil
}

// readCPU is the CPU time (user + system) a process has used, from
// /proc/<pid>/stat, or -1.
func readCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return -1
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return -1
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return -1
	}
	const clockTicks = 100 // USER_HZ
	return time.Duration(utime+stime) * time.Second / clockTicks
}

// memory is a process's resident set, from /proc/<pid>/status, in KiB; -1
// when unknown.
type memory struct {
	rss, hwm int64 // VmRSS and VmHWM (its peak)
	// anon and file split VmRSS: the heap and stacks, and the pages of the
	// binary (and other mapped files) the process has touched.
	anon, file int64
}

func readMemory(pid int) memory {
	m := memory{rss: -1, hwm: -1, anon: -1, file: -1}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return m
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			continue
		}
		switch k {
		case "VmRSS":
			m.rss = kb
		case "VmHWM":
			m.hwm = kb
		case "RssAnon":
			m.anon = kb
		case "RssFile":
			m.file = kb
		}
	}
	return m
}
