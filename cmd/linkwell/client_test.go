package main

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/linkwell/linkwell/internal/apiclient"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/organisation"
	"github.com/linkwell/linkwell/internal/store"
)

func TestClientCreatePrintsSecretOnce(t *testing.T) {
	path := sqlitePath(t)
	mustRun(t, "", "migrate", "--db", path)
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := organisation.NewService(db).Create(ctx, audit.System, organisation.Input{Name: "Riverside Medical Centre",
		Type: organisation.GPPractice, ODSCode: "Y90001"}); err != nil {
		t.Fatal(err)
	}

	out := mustRun(t, "", "client", "create", "--db", path, "--name", "GP system", "--org", "Y90001", "--scopes", "referral.write,task.read")
	m := regexp.MustCompile(`(?m)^client_id=(\S+)\nclient_secret=(\S+)\n$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("output %q: want client_id=... and client_secret=... lines", out)
	}
	tok, err := apiclient.NewService(db).IssueForSecret(ctx, m[1], m[2], "task.read", "local")
	if err != nil {
		t.Fatalf("the printed secret does not get a token: %v", err)
	}
	if len(tok.Scopes) != 1 || tok.Scopes[0] != apiclient.TaskRead {
		t.Errorf("token scopes %v", tok.Scopes)
	}

	list := mustRun(t, "", "client", "list", "--db", path)
	if !strings.Contains(list, m[1]) || !strings.Contains(list, "referral.write task.read") || strings.Contains(list, m[2]) {
		t.Errorf("client list %q: want the client and its scopes, never its secret", list)
	}
	mustRun(t, "", "client", "disable", "--db", path, "--client-id", m[1])
	if _, err := apiclient.NewService(db).IssueForSecret(ctx, m[1], m[2], "", "local"); err == nil {
		t.Error("a disabled client still gets tokens")
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"client", "create", "--db", path, "--name", "X", "--org", "Y90001", "--scopes", "everything"}, "scopes: Select scopes from the list"},
		{[]string{"client", "create", "--db", path, "--name", "X", "--scopes", "task.read"}, "give --org"},
		{[]string{"client", "create", "--db", path, "--name", "X", "--org", "Nowhere", "--scopes", "task.read"}, "Nowhere"},
		{[]string{"client", "disable", "--db", path, "--client-id", "lw-none"}, "No such API client"},
		{[]string{"client"}, "client create"},
	} {
		r := linkwell(t, "", c.args...)
		if r.code == 0 || !strings.Contains(r.stderr, c.want) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want one line with %q", c.args, r.code, r.stderr, c.want)
		}
	}
}
