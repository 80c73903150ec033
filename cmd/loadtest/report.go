package main

import (
	"fmt"
	"io"
	"math"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"
)

// check is what each server answered to one scenario: function, echo.
type check struct {
	scenario string
	servers  [2]summary
}

// table prints rows as aligned text or as Markdown.
type table struct {
	header []string
	rows   [][]string
}

func (t *table) add(cols ...string) { t.rows = append(t.rows, cols) }

func (t *table) print(w io.Writer, markdown bool) {
	if markdown {
		fmt.Fprintf(w, "| %s |\n", strings.Join(t.header, " | "))
		fmt.Fprintf(w, "|%s\n", strings.Repeat(" --- |", len(t.header)))
		for _, r := range t.rows {
			fmt.Fprintf(w, "| %s |\n", strings.Join(r, " | "))
		}
		fmt.Fprintln(w)
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(t.header, "\t"))
	for _, r := range t.rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	_ = tw.Flush()
	fmt.Fprintln(w)
}

func ms(d time.Duration) string {
	if d <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.3f ms", float64(d)/float64(time.Millisecond))
}

func ratio(a, b float64) string {
	if a <= 0 || b <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

func mib(kb int64) string {
	if kb < 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f MiB", float64(kb)/1024)
}

// target is one of the targets, checked against this run.
type target struct {
	what     string
	measured float64
	limit    float64
	unit     string
}

func (t target) row() []string {
	limit := fmt.Sprintf("≤ %.2f%s", t.limit, t.unit)
	if t.measured <= 0 || math.IsInf(t.measured, 0) || math.IsNaN(t.measured) {
		return []string{t.what, "n/a", limit, "n/a"}
	}
	res := "PASS"
	if t.measured > t.limit {
		res = "FAIL"
	}
	return []string{t.what, fmt.Sprintf("%.2f%s", t.measured, t.unit), limit, res}
}

func report(w io.Writer, c *config, checks []check, cells []cell, idle, peak [2]memory, starts []startResult) {
	md := c.markdown
	fmt.Fprintf(w, "Load test: %d requests per server, scenario and concurrency (after %d warm-up), in %d interleaved rounds; %d CPUs, GOMAXPROCS %d.\n\n",
		c.requests, c.warmup, c.rounds, runtime.NumCPU(), runtime.GOMAXPROCS(0))

	sizes := &table{header: []string{"scenario", "function response", "echo response"}}
	for _, ck := range checks {
		sizes.add(ck.scenario,
			fmt.Sprintf("%d bytes, %d resources", ck.servers[0].bytes, ck.servers[0].resources),
			fmt.Sprintf("%d bytes, %d resources", ck.servers[1].bytes, ck.servers[1].resources))
	}
	sizes.print(w, md)

	lat := &table{header: []string{"scenario", "c", "p50 function", "p50 echo", "p50 ratio", "p99 function", "p99 echo", "p99 ratio", "req/s function", "req/s echo", "CPU/req function", "CPU/req echo", "CPU ratio"}}
	for _, cl := range cells {
		f, e := cl.fn, cl.echo
		name := cl.scenario
		if f.n < cl.requests || e.n < cl.requests {
			name += fmt.Sprintf(" (cut short: %d and %d requests)", f.n, e.n)
		}
		cpuF, cpuE := time.Duration(-1), time.Duration(-1)
		if f.cpuMeasure {
			cpuF = f.cpuPerReq
		}
		if e.cpuMeasure {
			cpuE = e.cpuPerReq
		}
		lat.add(name, fmt.Sprint(cl.concurrency),
			ms(f.p50), ms(e.p50), ratio(float64(f.p50), float64(e.p50)),
			ms(f.p99), ms(e.p99), ratio(float64(f.p99), float64(e.p99)),
			fmt.Sprintf("%.0f", f.rps), fmt.Sprintf("%.0f", e.rps),
			ms(cpuF), ms(cpuE), ratio(float64(cpuF), float64(cpuE)))
	}
	lat.print(w, md)

	mem := &table{header: []string{"memory", "function", "echo", "ratio"}}
	mem.add("RSS after the first requests", mib(idle[0].rss), mib(idle[1].rss), ratio(float64(idle[0].rss), float64(idle[1].rss)))
	mem.add("peak RSS (VmHWM) after the load", mib(peak[0].hwm), mib(peak[1].hwm), ratio(float64(peak[0].hwm), float64(peak[1].hwm)))
	mem.add("RSS after the load: heap and stacks (RssAnon)", mib(peak[0].anon), mib(peak[1].anon), ratio(float64(peak[0].anon), float64(peak[1].anon)))
	mem.add("RSS after the load: binary and files (RssFile)", mib(peak[0].file), mib(peak[1].file), ratio(float64(peak[0].file), float64(peak[1].file)))
	mem.print(w, md)

	if len(starts) > 0 {
		// The first start may find the binary out of the page cache.
		st := &table{header: []string{"start to serving", "first", "median", "max", "samples"}}
		for _, s := range starts {
			st.add(s.name, ms(s.samples[0]), ms(s.med), ms(s.max), fmt.Sprint(len(s.samples)))
		}
		st.print(w, md)
	}

	tg := &table{header: []string{"target", "measured", "limit", "result"}}
	for _, cl := range cells {
		f, e := cl.fn, cl.echo
		switch cl.scenario {
		case "steady-state":
			tg.add(target{what: fmt.Sprintf("steady state p50, c=%d", cl.concurrency), measured: float64(f.p50) / float64(e.p50), limit: 1.3, unit: "×"}.row()...)
			tg.add(target{what: fmt.Sprintf("steady state p99, c=%d", cl.concurrency), measured: float64(f.p99) / float64(e.p99), limit: 1.5, unit: "×"}.row()...)
		case "first-reconcile":
			tg.add(target{what: fmt.Sprintf("first reconcile p99, c=%d", cl.concurrency), measured: float64(f.p99) / float64(e.p99), limit: 1.5, unit: "×"}.row()...)
		}
	}
	tg.add(target{what: "peak RSS", measured: float64(peak[0].hwm) / float64(peak[1].hwm), limit: 1.1, unit: "×"}.row()...)
	for _, s := range starts {
		if s.name == "function" {
			tg.add(target{what: "function start to serving (median)", measured: float64(s.med) / float64(time.Millisecond), limit: 100, unit: " ms"}.row()...)
		}
	}
	tg.print(w, md)
}
