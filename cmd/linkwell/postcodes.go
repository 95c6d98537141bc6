package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/linkwell/linkwell/internal/config"
	"github.com/linkwell/linkwell/internal/postcode"
)

const postcodesUsage = "linkwell postcodes import FILE [--db ...]"

func runPostcodes(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "import" {
		return fmt.Errorf("say `%s`", postcodesUsage)
	}
	return runPostcodesImport(ctx, e, args[1:])
}

// progressEvery is how many rows pass between progress lines on a national import.
const progressEvery = 500_000

// runPostcodesImport loads an ONS Postcode Directory CSV. It fails when the file is not one,
// and, after importing the rest, when any row was rejected.
func runPostcodesImport(ctx context.Context, e env, args []string) error {
	fs := config.NewFlagSet("postcodes import")
	dsn := config.DBFlag(fs, e.getenv)
	// The flag package stops at the first argument that is not a flag, so FILE comes first.
	if len(args) == 0 || (strings.HasPrefix(args[0], "-") && !isHelp(args[0])) {
		return fmt.Errorf("give the ONS Postcode Directory CSV first: `%s`", postcodesUsage)
	}
	file, flags := args[0], args[1:]
	if isHelp(file) {
		flags = args
	}
	if err := config.Parse(fs, flags, e.stdout); err != nil {
		return err
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	db, err := openCurrent(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	next := progressEvery
	counts, err := postcode.Import(ctx, db, f, func(c postcode.Counts) {
		if c.Rows >= next {
			fmt.Fprintf(e.stderr, "read %d rows, imported %d\n", c.Rows, c.Imported)
			next += progressEvery
		}
	})
	if err != nil {
		return err
	}
	printImportSummary(e, counts)
	if counts.Rejected > 0 {
		return fmt.Errorf("%d row(s) rejected, the first listed above; the rest of the file was imported", counts.Rejected)
	}
	return nil
}

func isHelp(arg string) bool { return arg == "-h" || arg == "--help" || arg == "-help" }

func printImportSummary(e env, c postcode.Counts) {
	fmt.Fprintf(e.stdout, "imported:               %d postcodes (%d new or changed)\n", c.Imported, c.Changed)
	fmt.Fprintf(e.stdout, "skipped, terminated:    %d\n", c.Terminated)
	fmt.Fprintf(e.stdout, "skipped, no location:   %d\n", c.NoLocation)
	fmt.Fprintf(e.stdout, "removed:                %d (held before, now terminated or without a location)\n", c.Removed)
	fmt.Fprintf(e.stdout, "rejected:               %d\n", c.Rejected)
	for _, r := range c.Rejections {
		where := fmt.Sprintf("line %d", r.Line)
		if r.Postcode != "" {
			where += " (" + r.Postcode + ")"
		}
		fmt.Fprintf(e.stdout, "  %s: %s\n", where, r.Reason)
	}
}
