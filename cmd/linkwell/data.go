package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/config"
	"github.com/linkwell/linkwell/internal/organisation"
)

func runUser(ctx context.Context, e env, args []string) error {
	if len(args) == 0 {
		return errors.New("say `user create` or `user list`")
	}
	switch args[0] {
	case "create":
		return runUserCreate(ctx, e, args[1:])
	case "list":
		return runUserList(ctx, e, args[1:])
	}
	return fmt.Errorf("unknown subcommand %q: say `user create` or `user list`", args[0])
}

// roleList is a flag that takes roles, repeated or comma-separated.
type roleList []account.Role

func (r *roleList) String() string { return fmt.Sprint(*r) }

func (r *roleList) Set(v string) error {
	for _, part := range strings.Split(v, ",") {
		role := account.Role(strings.TrimSpace(part))
		if !role.Valid() {
			names := make([]string, len(account.Roles))
			for i, x := range account.Roles {
				names[i] = string(x)
			}
			return fmt.Errorf("unknown role %q: use one of %s", part, strings.Join(names, ", "))
		}
		*r = append(*r, role)
	}
	return nil
}

func runUserCreate(ctx context.Context, e env, args []string) error {
	fs := config.NewFlagSet("user create")
	dsn := config.DBFlag(fs, e.getenv)
	email := fs.String("email", "", "email address (required)")
	name := fs.String("name", "", "full name (required)")
	org := fs.String("org", "", "organisation: name, ODS code or id (may be left out for an administrator)")
	stdinPw := fs.Bool("password-stdin", false, "read the password from the first line of standard input (required)")
	var roles roleList
	fs.Var(&roles, "role", "role; repeat or separate with commas (required)")
	if err := config.Parse(fs, args, e.stdout); err != nil {
		return err
	}
	if !*stdinPw {
		return errors.New("give --password-stdin and the password on standard input, so it stays out of shell history")
	}
	pw, err := readPassword(e)
	if err != nil {
		return err
	}
	db, err := openCurrent(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	in := account.UserInput{Email: *email, Name: *name, Password: pw, Roles: roles}
	if *org != "" {
		o, err := organisation.NewService(db).Resolve(ctx, *org)
		if err != nil {
			return err
		}
		in.OrganisationID = o.ID
	}
	u, err := account.NewService(db).CreateUser(ctx, audit.CommandLine, in)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "created user %d %s (%s)\n", u.ID, u.Email, u.RoleLabels())
	return nil
}

func readPassword(e env) (string, error) {
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", errors.New("no password on standard input")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func runUserList(ctx context.Context, e env, args []string) error {
	fs := config.NewFlagSet("user list")
	dsn := config.DBFlag(fs, e.getenv)
	if err := config.Parse(fs, args, e.stdout); err != nil {
		return err
	}
	db, err := openCurrent(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	users, err := account.NewService(db).Users(ctx, account.UserFilter{})
	if err != nil {
		return err
	}
	orgs, err := orgNames(ctx, organisation.NewService(db))
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tEMAIL\tNAME\tROLES\tORGANISATION\tSTATUS")
	for _, u := range users {
		status := "active"
		if u.Disabled() {
			status = "disabled"
		}
		roles := make([]string, len(u.Roles))
		for i, r := range u.Roles {
			roles[i] = string(r)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.Email, u.Name, strings.Join(roles, ","), orgs[u.OrganisationID], status)
	}
	return tw.Flush()
}

func orgNames(ctx context.Context, s *organisation.Service) (map[int64]string, error) {
	list, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	m := map[int64]string{0: "-"}
	for _, o := range list {
		m[o.ID] = o.Name
	}
	return m, nil
}

func runOrg(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "list" {
		return errors.New("say `org list`")
	}
	fs := config.NewFlagSet("org list")
	dsn := config.DBFlag(fs, e.getenv)
	if err := config.Parse(fs, args[1:], e.stdout); err != nil {
		return err
	}
	db, err := openCurrent(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	list, err := organisation.NewService(db).List(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tTYPE\tODS CODE\tID")
	for _, o := range list {
		ods := o.ODSCode
		if ods == "" {
			ods = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\n", o.Name, o.Type.Label(), ods, o.ID)
	}
	return tw.Flush()
}

func runAudit(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "verify" {
		return errors.New("say `audit verify`")
	}
	fs := config.NewFlagSet("audit verify")
	dsn := config.DBFlag(fs, e.getenv)
	if err := config.Parse(fs, args[1:], e.stdout); err != nil {
		return err
	}
	db, err := openCurrent(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := audit.Verify(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "audit log intact: %d entries checked\n", n)
	return nil
}
