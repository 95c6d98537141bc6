package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/config"
	"github.com/linkwell/linkwell/internal/demo"
	"github.com/linkwell/linkwell/internal/organisation"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
	"github.com/linkwell/linkwell/internal/workforce"
)

// Supervisors and supervisees the oversight benchmark sets up (issue 5's performance bar).
const (
	benchSupervisors = 20
	benchSupervisees = 12
)

// BenchmarkOversightNational measures the caseload oversight page of 20 supervisors, each of
// 12 generated link workers from three PCNs that share data, all asking at once, on a copy of
// the national-scale database named by LINKWELL_BENCH_DB (the original is never changed):
// LINKWELL_BENCH_DB=national.db go test ./internal/web -run '^$' -bench 'OversightNational/.*_of_' -benchtime 2000x
// LINKWELL_BENCH_DB=national.db go test ./internal/web -run '^$' -bench 'OversightNational/.*_pausing' -benchtime 30x
// The first asks again the moment a page is done; the second pauses as people do. Both report
// the server's own time per page at the 50th, 90th and 99th percentiles.
func BenchmarkOversightNational(b *testing.B) {
	path := os.Getenv("LINKWELL_BENCH_DB")
	if path == "" {
		b.Skip("set LINKWELL_BENCH_DB to a database made by `linkwell demo --scale national`")
	}
	db := copyDatabase(b, path)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	deps := NewDeps(config.Serve{MFA: config.MFAOptional, MaxBodyBytes: 1 << 20}, db, log, "bench")
	srv, err := New(deps)
	if err != nil {
		b.Fatal(err)
	}
	ts := &testServer{Server: srv, DB: db}
	emails := setUpSupervision(b, deps)
	reqs := make([]*http.Request, len(emails))
	for i, e := range emails {
		reqs[i] = benchRequest(b, ts, e, "/supervision")
	}
	b.Run(fmt.Sprintf("%d_supervisors_of_%d", benchSupervisors, benchSupervisees), func(b *testing.B) {
		var mu sync.Mutex
		var took []time.Duration
		var next atomic.Int64
		b.SetParallelism((benchSupervisors + 1) / 2) // with two cores: one goroutine per supervisor
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			req := reqs[int(next.Add(1)-1)%len(reqs)]
			var mine []time.Duration
			for pb.Next() {
				rec := httptest.NewRecorder()
				start := time.Now()
				srv.ServeHTTP(rec, req.Clone(req.Context()))
				mine = append(mine, time.Since(start))
				if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Generated lw ") {
					b.Errorf("status %d, or no supervisee on the page", rec.Code)
					return
				}
			}
			mu.Lock()
			took = append(took, mine...)
			mu.Unlock()
		})
		reportPercentiles(b, took)
	})
	// The same supervisors as people use the page: each loads b.N pages, pausing half a second
	// to a second and a half between them.
	b.Run(fmt.Sprintf("%d_supervisors_pausing", benchSupervisors), func(b *testing.B) {
		took := make([][]time.Duration, len(reqs))
		var wg sync.WaitGroup
		for i, req := range reqs {
			wg.Go(func() {
				for range b.N {
					time.Sleep(500*time.Millisecond + rand.N(time.Second))
					rec := httptest.NewRecorder()
					start := time.Now()
					srv.ServeHTTP(rec, req.Clone(req.Context()))
					took[i] = append(took[i], time.Since(start))
					if rec.Code != http.StatusOK {
						b.Errorf("status %d", rec.Code)
						return
					}
				}
			})
		}
		wg.Wait()
		reportPercentiles(b, slices.Concat(took...))
	})
}

// reportPercentiles reports the 50th, 90th and 99th percentiles of the times pages took.
func reportPercentiles(b *testing.B, took []time.Duration) {
	slices.Sort(took)
	for _, p := range []int{50, 90, 99} {
		b.ReportMetric(float64(took[(len(took)-1)*p/100].Microseconds())/1000, fmt.Sprintf("p%d-ms", p))
	}
}

// copyDatabase opens a copy of the SQLite database at path, brought up to the latest schema.
func copyDatabase(b *testing.B, path string) *store.DB {
	b.Helper()
	db := storetest.CopyOf(b, path)
	if _, err := db.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	return db
}

// setUpSupervision makes, for each of the first benchSupervisors groups of three generated
// PCNs, a data-sharing agreement between the three, an OT supervisor in the first, and that
// supervisor over the groups' generated link workers with a capacity and a past session; it
// returns the supervisors' email addresses.
func setUpSupervision(b *testing.B, d Deps) []string {
	b.Helper()
	ctx := context.Background()
	admin, err := d.Accounts.UserByEmail(ctx, "admin@linkwell.demo")
	if err != nil {
		b.Fatal(err)
	}
	actor := account.Actor(admin, "bench")
	const pcnsEach = 3
	perPCN := benchSupervisees / pcnsEach
	year := time.Now().AddDate(-1, 0, 0)
	var emails []string
	for s := range benchSupervisors {
		var lws []account.User
		var orgs []int64
		for p := s * pcnsEach; p < (s+1)*pcnsEach; p++ {
			for i := range perPCN {
				u, err := d.Accounts.UserByEmail(ctx, fmt.Sprintf("lw-%03d-%d@generated.linkwell", p, i))
				if err != nil {
					b.Fatal(err)
				}
				lws = append(lws, u)
			}
			orgs = append(orgs, lws[len(lws)-1].OrganisationID)
		}
		_, err := d.Orgs.CreateAgreement(ctx, audit.System, organisation.AgreementInput{Title: fmt.Sprintf("Federation %d", s), Purpose: "Supervision",
			Starts: organisation.DateParts{Day: fmt.Sprint(year.Day()), Month: fmt.Sprint(int(year.Month())), Year: fmt.Sprint(year.Year())}, PartyIDs: orgs})
		if err != nil {
			b.Fatal(err)
		}
		email := fmt.Sprintf("supervisor-%02d@bench.linkwell", s)
		sup, err := d.Accounts.CreateUser(ctx, audit.System, account.UserInput{Email: email, Name: fmt.Sprintf("Bench supervisor %d", s),
			Password: demo.Password, OrganisationID: orgs[0], Roles: []account.Role{account.OccupationalTherapist, account.Supervisor}})
		if err != nil {
			b.Fatal(err)
		}
		var ids []int64
		for _, lw := range lws {
			if err := d.Workforce.AddSupervisor(ctx, actor, admin, lw.ID, sup.ID); err != nil {
				b.Fatal(err)
			}
			if err := d.Workforce.SaveProfile(ctx, actor, admin, lw.ID, workforce.ProfileInput{Profession: "link_worker", Capacity: "60"}); err != nil {
				b.Fatal(err)
			}
			ids = append(ids, lw.ID)
		}
		if _, err := d.Workforce.RecordSession(ctx, account.Actor(sup, "bench"), sup, workforce.SessionInput{Kind: workforce.Group,
			HeldOn: time.Now().AddDate(0, 0, -20).Format(time.DateOnly), Attendees: ids, Summary: "Group supervision"}); err != nil {
			b.Fatal(err)
		}
		emails = append(emails, email)
	}
	return emails
}
