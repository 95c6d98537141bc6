package demo

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"

	"github.com/linkwell/linkwell/internal/directory"
	"github.com/linkwell/linkwell/internal/postcode"
	"github.com/linkwell/linkwell/internal/store"
)

// postcodesCSV is a few Aberdeen postcodes from the ONS Postcode Directory, so that distance
// searches from the demo people's postcodes work without importing the national file. See
// postcodes_NOTICE for where it comes from and its licence.
//
//go:embed postcodes.csv
var postcodesCSV []byte

// LoadPostcodes imports the demo's postcodes.
func LoadPostcodes(ctx context.Context, db *store.DB) error {
	if _, err := postcode.Import(ctx, db, bytes.NewReader(postcodesCSV), nil); err != nil {
		return fmt.Errorf("demo postcodes: %w", err)
	}
	return nil
}

// LoadDirectoryWithPostcodes loads the demo postcodes and the demo directory, which is what
// `linkwell serve --demo` adds to the demo network for searching the directory.
func LoadDirectoryWithPostcodes(ctx context.Context, db *store.DB, d *directory.Directory) error {
	if err := LoadPostcodes(ctx, db); err != nil {
		return err
	}
	return LoadDirectory(ctx, d)
}
