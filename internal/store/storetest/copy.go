package storetest

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/linkwell/linkwell/internal/store"
)

// CopyOf opens a copy of the SQLite database at path in a temporary directory, so that a
// benchmark may write to a large generated database (such as a national-scale one made by
// `linkwell demo`) without changing it. The copy is closed when the test ends.
func CopyOf(tb testing.TB, path string) *store.DB {
	tb.Helper()
	dst := filepath.Join(tb.TempDir(), filepath.Base(path))
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
	return db
}
