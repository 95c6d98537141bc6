package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/linkwell/linkwell/internal/apiclient"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/config"
	"github.com/linkwell/linkwell/internal/organisation"
)

func runClient(ctx context.Context, e env, args []string) error {
	if len(args) == 0 {
		return errors.New("say `client create`, `client list` or `client disable`")
	}
	switch args[0] {
	case "create":
		return runClientCreate(ctx, e, args[1:])
	case "list":
		return runClientList(ctx, e, args[1:])
	case "disable":
		return runClientDisable(ctx, e, args[1:])
	}
	return fmt.Errorf("unknown subcommand %q: say `client create`, `client list` or `client disable`", args[0])
}

// runClientCreate registers an API client and prints its id and secret, the secret this once.
func runClientCreate(ctx context.Context, e env, args []string) error {
	fs := config.NewFlagSet("client create")
	dsn := config.DBFlag(fs, e.getenv)
	name := fs.String("name", "", "the client system's name (required)")
	org := fs.String("org", "", "organisation it acts for: name, ODS code or id (required)")
	scopes := fs.String("scopes", "", "scopes, comma- or space-separated: "+scopeNames()+" (required)")
	keyFile := fs.String("public-key", "", "PEM file of the public key for signed JWT assertions (RS256 or ES256), optional")
	if err := config.Parse(fs, args, e.stdout); err != nil {
		return err
	}
	if *org == "" {
		return errors.New("give --org: the organisation the client acts for")
	}
	var key string
	if *keyFile != "" {
		b, err := os.ReadFile(*keyFile)
		if err != nil {
			return fmt.Errorf("read --public-key: %w", err)
		}
		key = string(b)
	}
	db, err := openCurrent(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	o, err := organisation.NewService(db).Resolve(ctx, *org)
	if err != nil {
		return err
	}
	cl, secret, err := apiclient.NewService(db).Create(ctx, audit.CommandLine, apiclient.Input{Name: *name,
		OrganisationID: o.ID, Scopes: []string{*scopes}, PublicKey: key})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "client_id=%s\nclient_secret=%s\n", cl.ClientID, secret)
	fmt.Fprintf(e.stderr, "Keep the secret safe: Linkwell stores only its hash and cannot show it again.\n")
	return nil
}

func scopeNames() string {
	names := make([]string, len(apiclient.Scopes))
	for i, s := range apiclient.Scopes {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

func runClientList(ctx context.Context, e env, args []string) error {
	fs := config.NewFlagSet("client list")
	dsn := config.DBFlag(fs, e.getenv)
	if err := config.Parse(fs, args, e.stdout); err != nil {
		return err
	}
	db, err := openCurrent(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	list, err := apiclient.NewService(db).List(ctx, 0)
	if err != nil {
		return err
	}
	orgs, err := orgNames(ctx, organisation.NewService(db))
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CLIENT ID\tNAME\tORGANISATION\tSCOPES\tKEY\tSTATUS")
	for _, c := range list {
		status, key := "active", "-"
		if c.Disabled() {
			status = "disabled"
		}
		if c.PublicKey != "" {
			key = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", c.ClientID, c.Name, orgs[c.OrganisationID], apiclient.ScopeString(c.Scopes), key, status)
	}
	return tw.Flush()
}

func runClientDisable(ctx context.Context, e env, args []string) error {
	fs := config.NewFlagSet("client disable")
	dsn := config.DBFlag(fs, e.getenv)
	id := fs.String("client-id", "", "the client_id to disable (required)")
	if err := config.Parse(fs, args, e.stdout); err != nil {
		return err
	}
	db, err := openCurrent(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	s := apiclient.NewService(db)
	cl, err := s.ByClientID(ctx, *id)
	if err != nil {
		return err
	}
	if err := s.Disable(ctx, audit.CommandLine, cl.ID); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "disabled client %s; its tokens no longer work\n", cl.ClientID)
	return nil
}
