package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/config"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// env is what every subcommand gets from the outside world.
type env struct {
	getenv config.Getenv
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "run the web service", runServe},
		{"migrate", "apply database migrations", runMigrate},
		{"user", "create or list users: user create | user list", runUser},
		{"org", "list organisations: org list", runOrg},
		{"client", "register API clients: client create | client list | client disable", runClient},
		{"backup", "make a consistent online copy: backup --to FILE", runBackup},
		{"restore", "restore a backup into an empty database: restore --from FILE", runRestore},
		{"audit", "check the audit log's hash chain: audit verify", runAudit},
		{"postcodes", "load the ONS Postcode Directory: postcodes import FILE", runPostcodes},
		{"directory", "import services: directory import PATH_OR_URL", runDirectory},
		{"dashboards", "work the dashboards' figures out again from the records: dashboards rebuild", runDashboards},
		{"demo", "generate a large dataset for performance measurement: demo --scale national", runDemo},
		{"version", "print the version", runVersion},
	}
}

// run is the whole program: it returns the exit code. Errors are printed as one line, never
// as a stack trace.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			err := c.run(ctx, e, args[1:])
			switch {
			case err == nil:
				return 0
			case errors.Is(err, flag.ErrHelp):
				return 0
			}
			fmt.Fprintf(stderr, "linkwell %s: %s\n", c.name, oneLine(err))
			return 1
		}
	}
	fmt.Fprintf(stderr, "linkwell: unknown command %q (try `linkwell help`)\n", args[0])
	return 2
}

// oneLine shows an error as a single line: the safe message for Linkwell's own errors, with
// field problems listed.
func oneLine(err error) string {
	if ae, ok := apperr.As(err); ok && ae.Kind != apperr.Internal {
		msg := ae.Message
		if len(ae.Fields) > 0 {
			var parts []string
			for _, f := range ae.Fields {
				parts = append(parts, f.Field+": "+f.Message)
			}
			msg = strings.Join(parts, "; ")
		}
		return msg
	}
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: linkwell COMMAND [flags]")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Every command that touches data takes --db (a SQLite file, or a postgres:// URL).")
}

func runVersion(_ context.Context, e env, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("unexpected argument %q", args[0])
	}
	fmt.Fprintln(e.stdout, "linkwell", version)
	return nil
}
