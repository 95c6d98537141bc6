package store_test

import (
	"testing"

	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

// sqlitePragmas are the settings every SQLite connection must have, as PRAGMA reports them.
var sqlitePragmas = map[string]string{
	"journal_mode": "wal",
	"synchronous":  "2", // FULL
	"foreign_keys": "1",
	"busy_timeout": "10000",
}

func TestSQLitePragmasAreInForce(t *testing.T) {
	db := storetest.SQLite(t)
	conns := map[string]func(fn func(store.Conn) error) error{
		"reader":   func(fn func(store.Conn) error) error { return fn(db.Reader()) },
		"read tx":  func(fn func(store.Conn) error) error { return db.ReadTx(t.Context(), fn) },
		"write tx": func(fn func(store.Conn) error) error { return db.Tx(t.Context(), fn) },
	}
	for connName, with := range conns {
		err := with(func(c store.Conn) error {
			for pragma, want := range sqlitePragmas {
				var got string
				if err := c.QueryRow(t.Context(), "PRAGMA "+pragma).Scan(&got); err != nil {
					return err
				}
				if got != want {
					t.Errorf("%s: PRAGMA %s = %s, want %s", connName, pragma, got, want)
				}
			}
			return nil
		})
		if err != nil {
			t.Errorf("%s: read pragmas: %v", connName, err)
		}
	}
}

// The writer alone keeps its temporary files (a savepoint's sub-journal) in memory and a
// larger page cache, for transactions that write thousands of rows.
func TestSQLiteWriterSettings(t *testing.T) {
	db := storetest.SQLite(t)
	want := map[string]string{"temp_store": "2", "cache_size": "-65536"} // 2 is MEMORY
	mustTx(t, db, func(c store.Conn) error {
		for pragma, v := range want {
			var got string
			if err := c.QueryRow(t.Context(), "PRAGMA "+pragma).Scan(&got); err != nil || got != v {
				t.Errorf("writer: PRAGMA %s = %s (err %v), want %s", pragma, got, err, v)
			}
		}
		return nil
	})
	var got string
	if err := db.Reader().QueryRow(t.Context(), "PRAGMA temp_store").Scan(&got); err != nil || got != "0" {
		t.Errorf("reader: PRAGMA temp_store = %s (err %v), want the default 0", got, err)
	}
}

func TestSQLiteReaderCannotWrite(t *testing.T) {
	db := storetest.SQLite(t)
	var queryOnly int
	if err := db.Reader().QueryRow(t.Context(), "PRAGMA query_only").Scan(&queryOnly); err != nil || queryOnly != 1 {
		t.Errorf("reader: PRAGMA query_only = %d (err %v), want 1", queryOnly, err)
	}
	if err := insertOrganisation(t.Context(), db.Reader(), "Riverside Surgery", "A81001"); err == nil {
		t.Error("an insert through the reader succeeded, want it refused")
	}
	if n := countOrganisations(t, db); n != 0 {
		t.Errorf("after a refused write there are %d organisations, want 0", n)
	}
	mustTx(t, db, func(c store.Conn) error {
		if err := c.QueryRow(t.Context(), "PRAGMA query_only").Scan(&queryOnly); err != nil || queryOnly != 0 {
			t.Errorf("writer: PRAGMA query_only = %d (err %v), want 0", queryOnly, err)
		}
		return nil
	})
}
