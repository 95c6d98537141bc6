package provider

import (
	"fmt"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

// benchConnections is how many connections the benchmarks' database holds: a busy network's
// year of them, most long finished.
const benchConnections = 20000

// loadConnections writes n connections on the world's case: one in 400 referred to the walk
// (waiting for the walking group), one in 20 referred to the choir with its link already sent,
// and the rest completed; each with its first change, spread over the last year.
func loadConnections(b *testing.B, w world, n int) {
	b.Helper()
	ctx := b.Context()
	walk, _ := w.dir.ServicePK(ctx, walkService)
	choir, _ := w.dir.ServicePK(ctx, choirSvc)
	err := w.db.Tx(ctx, func(c store.Conn) error {
		now := store.Now()
		for i := range n {
			svc, st := walk, casework.ConnCompleted
			switch {
			case i%400 == 0:
				st = casework.ConnReferred
			case i%20 == 0:
				svc, st = choir, casework.ConnReferred
			}
			var id, change int64
			at := now.AddDate(0, 0, -i*365/n) // spread over the last year
			if err := c.QueryRow(ctx, `INSERT INTO connections (case_id, directory_service_id, activity, organisation, status,
				created_by, created_at, updated_at) VALUES (?, ?, 'Activity', '', ?, ?, ?, ?) RETURNING id`,
				w.caseID, svc, st, w.ot.ID, at, at).Scan(&id); err != nil {
				return err
			}
			if err := c.QueryRow(ctx, `INSERT INTO connection_changes (connection_id, from_status, to_status, note, changed_by, changed_at)
				VALUES (?, '', ?, '', ?, ?) RETURNING id`, id, st, w.ot.ID, now).Scan(&change); err != nil {
				return err
			}
			if svc == choir {
				if _, err := c.Exec(ctx, `INSERT INTO provider_links (token_hash, connection_id, change_id, sent_to, created_at, expires_at)
					VALUES (?, ?, ?, 'sing@example.org', ?, ?)`, fmt.Sprint("hash-", id), id, change, now, now.Add(time.Hour)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkSendLinksSweep is the housekeeping job's look for links to send, over
// benchConnections connections of which none is due.
func BenchmarkSendLinksSweep(b *testing.B) {
	w := newWorld(b, storetest.SQLite(b))
	loadConnections(b, w, benchConnections)
	mail := &mailbox{}
	b.ResetTimer()
	for b.Loop() {
		if n, err := w.providers.SendLinks(b.Context(), mail, "https://linkwell.example"); err != nil || n != 0 {
			b.Fatalf("sent %d, %v", n, err)
		}
	}
}

// BenchmarkProviderConnections is the walking group's connections page's read, with each
// connection shown audited: the 50 waiting and the 50 most recent others, among
// benchConnections connections.
func BenchmarkProviderConnections(b *testing.B) {
	w := newWorld(b, storetest.SQLite(b))
	loadConnections(b, w, benchConnections)
	grace := account.Actor(w.provider, "bench")
	b.ResetTimer()
	for b.Loop() {
		list, err := w.providers.Connections(b.Context(), grace, w.charity.ID)
		if err != nil || len(list) != benchConnections/400+MaxRecent {
			b.Fatalf("%d connections, %v", len(list), err)
		}
	}
}
