// Package metrics counts requests and their latencies and writes them, with the database
// pools and the Go runtime, in the Prometheus text exposition format. It is small enough that
// the Prometheus client library would not earn its place.
package metrics

import (
	"database/sql"
	"fmt"
	"io"
	"math"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"time"
)

// Buckets are the latency histogram's upper bounds in seconds.
var Buckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}

type key struct {
	method, route string
	status        int
}

type histogram struct {
	counts []uint64 // one per bucket, not cumulative
	sum    float64
	total  uint64
}

// Registry holds request figures. The zero value is not usable; call New.
type Registry struct {
	mu       sync.Mutex
	requests map[key]*histogram
	started  time.Time
}

// New returns an empty registry.
func New() *Registry {
	return &Registry{requests: map[key]*histogram{}, started: time.Now()}
}

// Observe records one request. route is the pattern that matched, never the raw path, so that
// identifiers in URLs do not become labels.
func (r *Registry) Observe(method, route string, status int, d time.Duration) {
	k := key{method, route, status}
	secs := d.Seconds()
	r.mu.Lock()
	defer r.mu.Unlock()
	h := r.requests[k]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(Buckets))}
		r.requests[k] = h
	}
	i := sort.SearchFloat64s(Buckets, secs)
	if i < len(Buckets) {
		h.counts[i]++
	}
	h.sum += secs
	h.total++
}

// DBStats reports a named connection pool.
type DBStats func() map[string]sql.DBStats

// Write prints every metric.
func (r *Registry) Write(w io.Writer, pools DBStats) {
	r.writeRequests(w)
	if pools != nil {
		writePools(w, pools())
	}
	writeRuntime(w, r.started)
}

func (r *Registry) writeRequests(w io.Writer) {
	r.mu.Lock()
	keys := make([]key, 0, len(r.requests))
	for k := range r.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.route != b.route {
			return a.route < b.route
		}
		if a.method != b.method {
			return a.method < b.method
		}
		return a.status < b.status
	})
	fmt.Fprintln(w, "# HELP linkwell_http_requests_total HTTP requests served, by route pattern, method and status.")
	fmt.Fprintln(w, "# TYPE linkwell_http_requests_total counter")
	for _, k := range keys {
		fmt.Fprintf(w, "linkwell_http_requests_total{%s} %d\n", k.labels(), r.requests[k].total)
	}
	fmt.Fprintln(w, "# HELP linkwell_http_request_duration_seconds Time to serve HTTP requests.")
	fmt.Fprintln(w, "# TYPE linkwell_http_request_duration_seconds histogram")
	for _, k := range keys {
		h := r.requests[k]
		var cum uint64
		for i, b := range Buckets {
			cum += h.counts[i]
			fmt.Fprintf(w, "linkwell_http_request_duration_seconds_bucket{%s,le=\"%s\"} %d\n", k.labels(), formatFloat(b), cum)
		}
		fmt.Fprintf(w, "linkwell_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %d\n", k.labels(), h.total)
		fmt.Fprintf(w, "linkwell_http_request_duration_seconds_sum{%s} %s\n", k.labels(), formatFloat(h.sum))
		fmt.Fprintf(w, "linkwell_http_request_duration_seconds_count{%s} %d\n", k.labels(), h.total)
	}
	r.mu.Unlock()
}

func (k key) labels() string {
	return fmt.Sprintf("method=%q,route=%q,status=\"%d\"", k.method, k.route, k.status)
}

func formatFloat(f float64) string {
	if math.IsInf(f, 1) {
		return "+Inf"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func writePools(w io.Writer, pools map[string]sql.DBStats) {
	names := make([]string, 0, len(pools))
	for n := range pools {
		names = append(names, n)
	}
	sort.Strings(names)
	gauge := func(name, help string, val func(sql.DBStats) float64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name)
		for _, n := range names {
			fmt.Fprintf(w, "%s{pool=%q} %s\n", name, n, formatFloat(val(pools[n])))
		}
	}
	gauge("linkwell_db_open_connections", "Open database connections.", func(s sql.DBStats) float64 { return float64(s.OpenConnections) })
	gauge("linkwell_db_in_use_connections", "Database connections in use.", func(s sql.DBStats) float64 { return float64(s.InUse) })
	gauge("linkwell_db_idle_connections", "Idle database connections.", func(s sql.DBStats) float64 { return float64(s.Idle) })
	gauge("linkwell_db_max_open_connections", "The pool's connection limit.", func(s sql.DBStats) float64 { return float64(s.MaxOpenConnections) })
	gauge("linkwell_db_wait_count", "Waits for a free connection so far.", func(s sql.DBStats) float64 { return float64(s.WaitCount) })
	gauge("linkwell_db_wait_seconds", "Time spent waiting for a free connection so far.", func(s sql.DBStats) float64 { return s.WaitDuration.Seconds() })
}

func writeRuntime(w io.Writer, started time.Time) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(w, "# HELP go_goroutines Goroutines that exist.\n# TYPE go_goroutines gauge\ngo_goroutines %d\n", runtime.NumGoroutine())
	fmt.Fprintf(w, "# HELP go_memstats_heap_alloc_bytes Heap bytes allocated and in use.\n# TYPE go_memstats_heap_alloc_bytes gauge\ngo_memstats_heap_alloc_bytes %d\n", ms.HeapAlloc)
	fmt.Fprintf(w, "# HELP go_memstats_sys_bytes Bytes obtained from the system.\n# TYPE go_memstats_sys_bytes gauge\ngo_memstats_sys_bytes %d\n", ms.Sys)
	fmt.Fprintf(w, "# HELP go_gc_cycles_total Completed GC cycles.\n# TYPE go_gc_cycles_total counter\ngo_gc_cycles_total %d\n", ms.NumGC)
	fmt.Fprintf(w, "# HELP go_gc_pause_seconds_total Total GC pause time.\n# TYPE go_gc_pause_seconds_total counter\ngo_gc_pause_seconds_total %s\n", formatFloat(float64(ms.PauseTotalNs)/1e9))
	fmt.Fprintf(w, "# HELP process_uptime_seconds Seconds since the process started.\n# TYPE process_uptime_seconds gauge\nprocess_uptime_seconds %s\n", formatFloat(time.Since(started).Seconds()))
}
