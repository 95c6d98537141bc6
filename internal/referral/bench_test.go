package referral

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"testing"

	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

// validNHSNumber makes the n-th valid number in the 999 test range.
func validNHSNumber(n int) string { return nhsNumberFrom("999", n) }

// nhsNumberFrom makes the n-th valid number starting with the three digits of prefix.
func nhsNumberFrom(prefix string, n int) string {
	for ; ; n++ {
		s := fmt.Sprintf("%s%06d", prefix, n%1000000)
		sum := 0
		for k := range 9 {
			sum += int(s[k]-'0') * (10 - k)
		}
		if check := (11 - sum%11) % 11; check != 10 {
			return s + fmt.Sprint(check)
		}
	}
}

// BenchmarkSubmit measures durable referral intake: validation, the duplicate check, the
// person, consent, referral and audit entries in one transaction synced to disk.
// go test ./internal/referral -run '^$' -bench Submit -benchtime 5s
// With LINKWELL_BENCH_DB naming a national-scale SQLite database, it also runs on a copy of it.
func BenchmarkSubmit(b *testing.B) {
	type engine struct {
		name   string
		open   func(testing.TB) *store.DB
		prefix string // of the NHS numbers referred: the national dataset holds the whole 999 range
	}
	engines := []engine{{"sqlite", storetest.SQLite, "999"}, {"postgres", storetest.Postgres, "999"}}
	if path := os.Getenv("LINKWELL_BENCH_DB"); path != "" {
		engines = append(engines, engine{"national", func(tb testing.TB) *store.DB { return storetest.CopyOf(tb, path) }, "401"})
	}
	for _, engine := range engines {
		b.Run(engine.name, func(b *testing.B) {
			db := engine.open(b)
			s, svc := benchService(b, db)
			var n, stopped atomic.Int64
			b.SetParallelism(8) // many referrers at once, as an intake API would see
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := int(n.Add(1))
					in := Input{ServiceID: svc.ID, Source: SourceGP, Needs: []string{"loneliness"}, ConsentGiven: true,
						CriteriaMet: CriteriaMet, Person: person.Input{NHSNumber: nhsNumberFrom(engine.prefix, i*11), GivenName: "Bench",
							FamilyName: letters(i), DateOfBirth: person.DateParts{Day: fmt.Sprint(1 + i%28), Month: fmt.Sprint(1 + i/28%12), Year: fmt.Sprint(1930 + i/336%70)}},
						NotADuplicate: false}
					_, err := s.Submit(context.Background(), audit.System, Referrer{Name: "GP"}, in)
					var dup *DuplicatesFound
					if errors.As(err, &dup) {
						// A possible match in a full database: the referrer looks and says it is
						// someone else, as they would, and sends it again.
						stopped.Add(1)
						in.NotADuplicate = true
						_, err = s.Submit(context.Background(), audit.System, Referrer{Name: "GP"}, in)
					}
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "referrals/s")
			b.ReportMetric(float64(stopped.Load())/float64(b.N), "stopped-as-possible-duplicates/op")
		})
	}
}

// letters spells n in base 26, so that generated names differ in letters, not just digits.
func letters(n int) string {
	b := []byte("Zed")
	for ; n > 0; n /= 26 {
		b = append(b, byte('a'+n%26))
	}
	return string(b)
}

func benchService(b *testing.B, db *store.DB) (*Service, ReceivingService) {
	b.Helper()
	ctx := context.Background()
	var orgID int64
	if err := db.Tx(ctx, func(c store.Conn) error {
		return c.QueryRow(ctx, `INSERT INTO organisations (name, type, created_at, updated_at) VALUES ('Bench PCN', 'pcn', ?, ?) RETURNING id`,
			store.Now(), store.Now()).Scan(&orgID)
	}); err != nil {
		b.Fatal(err)
	}
	s := NewService(db, person.NewService(db))
	svc, err := s.CreateService(ctx, audit.System, ServiceInput{OrganisationID: orgID, Name: "Bench", Inclusion: "All", ResponseDays: 5})
	if err != nil {
		b.Fatal(err)
	}
	return s, svc
}
