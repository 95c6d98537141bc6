package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/config"
	"github.com/linkwell/linkwell/internal/directory"
)

const directoryUsage = "linkwell directory import PATH_OR_URL [--db ...] [--source NAME]"

// shownRejections is how many rejections the import command prints.
const shownRejections = 20

func runDirectory(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "import" {
		return fmt.Errorf("say `%s`", directoryUsage)
	}
	return runDirectoryImport(ctx, e, args[1:])
}

// runDirectoryImport imports an ORUK feed (saved files or a live URL) or an HSDS tabular
// package, and fails, after importing the rest, when any record was rejected.
func runDirectoryImport(ctx context.Context, e env, args []string) error {
	fs := config.NewFlagSet("directory import")
	dsn := config.DBFlag(fs, e.getenv)
	name := fs.String("source", "", "the source the records are kept under (default: the feed URL, or the absolute path)")
	if len(args) == 0 || (strings.HasPrefix(args[0], "-") && !isHelp(args[0])) {
		return fmt.Errorf("give the feed's URL, files or package first: `%s`", directoryUsage)
	}
	target, flags := args[0], args[1:]
	if isHelp(target) {
		flags = args
	}
	if err := config.Parse(fs, flags, e.stdout); err != nil {
		return err
	}
	src, source, err := importSource(target)
	if err != nil {
		return err
	}
	if *name != "" {
		source = *name
	}
	db, err := openCurrent(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	sum, err := directory.New(db).Import(ctx, source, src, directory.ImportOptions{Actor: audit.CommandLine,
		Progress: func(s directory.Summary) { fmt.Fprintf(e.stderr, "%d of %d records\n", s.Done, s.Total) }})
	printDirectorySummary(e, sum)
	if err != nil {
		return err
	}
	if sum.Rejected > 0 {
		return fmt.Errorf("%d record(s) rejected, the first listed above; the rest were imported", sum.Rejected)
	}
	return nil
}

// importSource chooses the source for a URL, a tabular package or saved feed files, and names it.
func importSource(target string) (directory.Source, string, error) {
	if strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://") {
		return directory.Feed{URL: target}, target, nil
	}
	abs, err := filepath.Abs(target)
	if err != nil {
		return nil, "", err
	}
	if _, err := os.Stat(abs); err != nil {
		return nil, "", err
	}
	if directory.IsPackage(abs) {
		return directory.Package(abs), abs, nil
	}
	return directory.Files{abs}, abs, nil
}

func printDirectorySummary(e env, s directory.Summary) {
	fmt.Fprintf(e.stdout, "source:    %s\n", s.Source)
	fmt.Fprintf(e.stdout, "created:   %d\n", s.Created)
	fmt.Fprintf(e.stdout, "updated:   %d\n", s.Updated)
	fmt.Fprintf(e.stdout, "unchanged: %d\n", s.Unchanged)
	fmt.Fprintf(e.stdout, "rejected:  %d\n", s.Rejected)
	for i, r := range s.Rejections {
		if i == shownRejections {
			fmt.Fprintf(e.stdout, "  ... and %d more\n", s.Rejected-shownRejections)
			break
		}
		fmt.Fprintf(e.stdout, "  %s\n", r)
	}
}
