package store_test

import (
	"context"
	"testing"

	"github.com/linkwell/linkwell/internal/store"
)

// insertOrganisation adds an organisation called name with the given ODS code.
func insertOrganisation(ctx context.Context, c store.Conn, name, odsCode string) error {
	now := store.Now()
	_, err := c.Exec(ctx, `INSERT INTO organisations (name, type, ods_code, created_at, updated_at)
		VALUES (?, 'gp_practice', ?, ?, ?)`, name, odsCode, now, now)
	return err
}

// countOrganisations returns how many organisations db holds.
func countOrganisations(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.Reader().QueryRow(t.Context(), `SELECT COUNT(*) FROM organisations`).Scan(&n); err != nil {
		t.Fatalf("count organisations: %v", err)
	}
	return n
}

// mustTx runs fn in a write transaction and fails the test if it fails.
func mustTx(t *testing.T, db *store.DB, fn func(store.Conn) error) {
	t.Helper()
	if err := db.Tx(t.Context(), fn); err != nil {
		t.Fatalf("transaction: %v", err)
	}
}
