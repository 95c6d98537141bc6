package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/demo"
	"github.com/linkwell/linkwell/internal/directory"
)

// generatedPageSize is how many services one generated list-page file holds.
const generatedPageSize = 500

// runDemoDirectory generates n directory services for performance measurement: `linkwell demo
// --directory 150000` imports DESIGN §6's directory and reports the import's rate; with --out
// it writes them as ORUK list pages for `linkwell directory import` to read instead.
func runDemoDirectory(ctx context.Context, e env, dsn string, n int, out string) error {
	if out != "" {
		return writeGeneratedDirectory(ctx, e, n, out)
	}
	db, err := openCurrent(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var records [][]byte
	if err := demo.NationalDirectory(ctx, n, time.Now(), func(b []byte) error { records = append(records, b); return nil }); err != nil {
		return err
	}
	start := time.Now()
	sum, err := directory.New(db).Import(ctx, demo.NationalDirectorySource, generatedSource(records), directory.ImportOptions{Actor: audit.CommandLine})
	took := time.Since(start)
	printDirectorySummary(e, sum)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "imported %d services in %s: %.0f a second\n", n, took.Round(time.Millisecond), float64(n)/took.Seconds())
	return nil
}

// generatedSource sends records held in memory, so that the import is timed without reading
// files.
type generatedSource [][]byte

func (g generatedSource) Read(ctx context.Context, r directory.Receiver) error {
	r.Expect(len(g))
	for _, b := range g {
		if err := r.Receive(ctx, directory.Record{JSON: b}); err != nil {
			return err
		}
	}
	return nil
}

// writeGeneratedDirectory writes n generated services into folder as ORUK list pages of
// generatedPageSize, named so that they sort in order.
func writeGeneratedDirectory(ctx context.Context, e env, n int, folder string) error {
	if err := os.MkdirAll(folder, 0o755); err != nil {
		return err
	}
	pages := (n + generatedPageSize - 1) / generatedPageSize
	var page []json.RawMessage
	number := 0
	flush := func() error {
		number++
		b, err := json.Marshal(map[string]any{"total_items": n, "total_pages": pages, "page_number": number, "size": generatedPageSize,
			"first_page": number == 1, "last_page": number == pages, "empty": len(page) == 0, "contents": page})
		if err == nil {
			err = os.WriteFile(filepath.Join(folder, fmt.Sprintf("services-%05d.json", number)), b, 0o644)
		}
		page = page[:0]
		return err
	}
	err := demo.NationalDirectory(ctx, n, time.Now(), func(b []byte) error {
		if page = append(page, b); len(page) == generatedPageSize {
			return flush()
		}
		return nil
	})
	if err == nil && len(page) > 0 {
		err = flush()
	}
	if err != nil {
		return fmt.Errorf("write generated directory: %w", err)
	}
	fmt.Fprintf(e.stdout, "wrote %d services in %d list pages to %s\n", n, number, folder)
	return nil
}
