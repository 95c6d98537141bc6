package fhir

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/access"
	"github.com/linkwell/linkwell/internal/apiclient"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/organisation"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

// benchServer is the FHIR interface over HTTP on loopback, with a token for a client of the
// organisation given.
type benchServer struct {
	url, token string
	serviceID  string
	client     *http.Client
	fhir       *Service
	who        Caller
}

func newBenchServer(b *testing.B, db *store.DB, clientOrg, serviceID int64) benchServer {
	b.Helper()
	ctx := context.Background()
	people := person.NewService(db)
	referrals := referral.NewService(db, people)
	cases := casework.NewService(db, referrals)
	log := slog.New(slog.DiscardHandler)
	s := NewService(db, people, referrals, cases, organisation.NewService(db), access.NewPolicy(log, cases))
	clients := apiclient.NewService(db)
	cl, secret, err := clients.Create(ctx, audit.CommandLine, apiclient.Input{Name: "bench", OrganisationID: clientOrg,
		Scopes: []string{"referral.write task.read"}})
	if err != nil {
		b.Fatal(err)
	}
	tok, err := clients.IssueForSecret(ctx, cl.ClientID, secret, "", "bench")
	if err != nil {
		b.Fatal(err)
	}
	who, err := clients.Authenticate(ctx, tok.AccessToken)
	if err != nil {
		b.Fatal(err)
	}
	var base string
	srv := httptest.NewServer(NewHandler(s, clients, log, "bench", func(*http.Request) string { return base },
		func(*http.Request) string { return "127.0.0.1" }))
	b.Cleanup(srv.Close)
	base = srv.URL + "/fhir"
	k, err := s.ids(ctx)
	if err != nil {
		b.Fatal(err)
	}
	return benchServer{url: srv.URL, token: tok.AccessToken, serviceID: k.seal(kindHealthcareService, serviceID),
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}, fhir: s, who: Caller{Principal: who}}
}

func (bs benchServer) do(method, path string, body []byte) (int, error) {
	req, err := http.NewRequest(method, bs.url+path, strings.NewReader(string(body)))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+bs.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/fhir+json")
	}
	res, err := bs.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	_, err = io.Copy(io.Discard, res.Body)
	return res.StatusCode, err
}

// benchEngine is a database to measure on: fresh SQLite and PostgreSQL, and with
// LINKWELL_BENCH_DB naming a national-scale SQLite database (linkwell demo --scale national),
// a migrated copy of it.
type benchEngine struct {
	name string
	open func(testing.TB) *store.DB
}

func benchEngines() []benchEngine {
	out := []benchEngine{{"sqlite", storetest.SQLite}, {"postgres", storetest.Postgres}}
	if path := os.Getenv("LINKWELL_BENCH_DB"); path != "" {
		out = append(out, benchEngine{"national", func(tb testing.TB) *store.DB { return migratedCopy(tb, path) }})
	}
	return out
}

func migratedCopy(tb testing.TB, path string) *store.DB {
	tb.Helper()
	dst := filepath.Join(tb.TempDir(), "national.db")
	src, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer src.Close()
	out, err := os.Create(dst)
	if err == nil {
		_, err = io.Copy(out, src)
		err = errors.Join(err, out.Close())
	}
	if err != nil {
		tb.Fatal(err)
	}
	db, err := store.Open(context.Background(), dst)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return db
}

// benchSetting finds or makes a service to refer to and a GP practice to refer from.
func benchSetting(b *testing.B, db *store.DB) (gpOrg, pcnOrg, serviceID int64) {
	b.Helper()
	ctx := context.Background()
	orgs := organisation.NewService(db)
	gp, err := orgs.Resolve(ctx, "Y99999") // left by an earlier run on this database
	if err != nil {
		gp, err = orgs.Create(ctx, audit.System, organisation.Input{Name: "Bench Medical Centre", Type: organisation.GPPractice, ODSCode: "Y99999"})
	}
	if err != nil {
		b.Fatal(err)
	}
	svcs, err := referral.NewService(db, nil).Services(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if len(svcs) > 0 {
		return gp.ID, svcs[0].OrganisationID, svcs[0].ID
	}
	pcn, err := orgs.Create(ctx, audit.System, organisation.Input{Name: "Bench PCN", Type: organisation.PCN, ODSCode: "U99999"})
	if err != nil {
		b.Fatal(err)
	}
	svc, err := referral.NewService(db, nil).CreateService(ctx, audit.System, referral.ServiceInput{OrganisationID: pcn.ID,
		Name: "Bench social prescribing", Inclusion: "Adults", ResponseDays: 5})
	if err != nil {
		b.Fatal(err)
	}
	return gp.ID, pcn.ID, svc.ID
}

// BenchmarkReferTransaction measures referrals sent as FHIR transaction Bundles over HTTP:
// parsing and checking the Bundle, matching the person, recording person, consents,
// referral, Task and answers and their audit entries in one transaction synced to disk, and
// the transaction-response. Eight systems send at once.
//
//	go test ./internal/fhir -run '^$' -bench ReferTransaction -benchtime 10s
//	LINKWELL_BENCH_DB=national.db go test ./internal/fhir -run '^$' -bench 'ReferTransaction/national' -benchtime 10s
func BenchmarkReferTransaction(b *testing.B) {
	example, err := os.ReadFile("testdata/examples/transaction.json")
	if err != nil {
		b.Fatal(err)
	}
	for _, engine := range benchEngines() {
		b.Run(engine.name, func(b *testing.B) {
			db := engine.open(b)
			gp, _, svc := benchSetting(b, db)
			bs := newBenchServer(b, db, gp, svc)
			tmpl := strings.ReplaceAll(string(example), "{{service}}", bs.serviceID)
			var n atomic.Int64
			b.SetParallelism(4) // 8 senders on 2 cores
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					// Someone new each time, in an NHS number range the national data leaves free.
					dob := time.Date(1930, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(i*37%25000)).Format("2006-01-02")
					body := strings.NewReplacer("9434765919", benchNHSNumber(int(i)*2), "RMC-2026-00042", fmt.Sprintf("BENCH-%d", i),
						"Okonkwo", fmt.Sprintf("Bench%d", i), "1948-03-21", dob).Replace(tmpl)
					status, err := bs.do("POST", "/fhir", []byte(body))
					if err != nil || status != 200 {
						b.Errorf("transaction %d: %d %v", i, status, err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "referrals/s")
		})
	}
}

// benchNHSNumber makes a valid NHS number starting 402 from n: the next valid one from n, so
// even n never share one (two numbers in a row are never both invalid).
func benchNHSNumber(n int) string {
	for ; ; n++ {
		s := fmt.Sprintf("402%06d", n%1000000)
		sum := 0
		for k := range 9 {
			sum += int(s[k]-'0') * (10 - k)
		}
		if check := (11 - sum%11) % 11; check != 10 {
			return s + fmt.Sprint(check)
		}
	}
}

// BenchmarkTaskPoll measures a service's system polling its Tasks: what changed in the last
// hour of activity at one of its services, and across its organisation with the
// ServiceRequests included, alternately, each with the audit entry a poll writes; one poller,
// then four at once. p50 and p99 are over every poll.
//
//	LINKWELL_BENCH_DB=national.db go test ./internal/fhir -run '^$' -bench 'TaskPoll/national' -benchtime 2000x
func BenchmarkTaskPoll(b *testing.B) {
	for _, engine := range benchEngines() {
		b.Run(engine.name, func(b *testing.B) {
			db := engine.open(b)
			_, pcn, svc := benchSetting(b, db)
			bs := newBenchServer(b, db, pcn, svc)
			var latest time.Time
			if err := db.Reader().QueryRow(context.Background(), `SELECT updated_at FROM referrals ORDER BY updated_at DESC LIMIT 1`).Scan(&latest); err != nil {
				latest = time.Now() // an empty database: poll the last hour
			}
			// A system polling hourly: what changed at one service, and at the whole organisation.
			since := url.QueryEscape(latest.Add(-time.Hour).UTC().Format(time.RFC3339))
			queries := []string{
				"/fhir/Task?owner=HealthcareService/" + bs.serviceID + "&_lastUpdated=gt" + since,
				"/fhir/Task?_include=Task:focus&_lastUpdated=gt" + since,
			}
			for _, q := range queries { // warm the page cache, as a running server's is
				if status, err := bs.do("GET", q, nil); err != nil || status != 200 {
					b.Fatalf("poll: %d %v", status, err)
				}
			}
			for _, pollers := range []int{1, 4} {
				b.Run(fmt.Sprintf("pollers=%d", pollers), func(b *testing.B) { pollBench(b, bs.poll, queries, pollers) })
			}
			// The search alone, in process: no HTTP, and no audit entry to commit.
			for _, pollers := range []int{1, 4} {
				b.Run(fmt.Sprintf("queries-only/pollers=%d", pollers), func(b *testing.B) { pollBench(b, bs.search, queries, pollers) })
			}
		})
	}
}

// poll is one poll over HTTP.
func (bs benchServer) poll(q string) error {
	status, err := bs.do("GET", q, nil)
	if err == nil && status != 200 {
		err = fmt.Errorf("status %d", status)
	}
	return err
}

// search is the Task search behind one poll, in process.
func (bs benchServer) search(q string) error {
	u, err := url.Parse(q)
	if err != nil {
		return err
	}
	k, err := bs.fhir.ids(context.Background())
	if err == nil {
		_, _, err = bs.fhir.findTasks(context.Background(), k, bs.who, Query{Params: u.Query(), Base: "https://linkwell.example/fhir"})
	}
	return err
}

func pollBench(b *testing.B, poll1 func(string) error, queries []string, pollers int) {
	var mu sync.Mutex
	var took []time.Duration
	var n atomic.Int64
	b.SetParallelism(max(1, pollers/runtime.GOMAXPROCS(0)))
	poll := func(pb interface{ Next() bool }) {
		var mine []time.Duration
		for pb.Next() {
			q := queries[n.Add(1)%2]
			start := time.Now()
			err := poll1(q)
			mine = append(mine, time.Since(start))
			if err != nil {
				b.Errorf("poll: %v", err)
				return
			}
		}
		mu.Lock()
		took = append(took, mine...)
		mu.Unlock()
	}
	b.ResetTimer()
	if pollers == 1 {
		poll(&loop{b: b})
	} else {
		b.RunParallel(func(pb *testing.PB) { poll(pb) })
	}
	b.StopTimer()
	slices.Sort(took)
	if len(took) > 0 {
		b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
	}
}

// loop counts b.N iterations for one goroutine, as testing.PB does for several.
type loop struct {
	b *testing.B
	i int
}

func (l *loop) Next() bool { l.i++; return l.i <= l.b.N }
