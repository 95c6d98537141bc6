package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func TestAdministratorRegistersAPIClient(t *testing.T) {
	ts := newTestServer(t)
	admin := ts.client(t, "admin@linkwell.demo")
	gpPractice := ts.org(t, "Y90001")

	res, body := ts.get(t, admin, "/admin/api-clients")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "No API clients are registered yet") {
		t.Fatalf("list: %d", res.StatusCode)
	}

	// Problems are shown with what was typed kept.
	res, body = ts.post(t, admin, "/admin/api-clients/new", url.Values{"name": {"Riverside clinical system"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Select the organisation the client acts for") ||
		!strings.Contains(body, "Select at least one scope") || !strings.Contains(body, `value="Riverside clinical system"`) {
		t.Fatalf("form errors: %d %s", res.StatusCode, body)
	}

	res, body = ts.post(t, admin, "/admin/api-clients/new", url.Values{"name": {"Riverside clinical system"},
		"organisation": {itoa(gpPractice.ID)}, "scopes": {"referral.write", "task.read"}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("create: %d %s", res.StatusCode, body)
	}
	id := regexp.MustCompile(`<code id="client-id">([^<]+)</code>`).FindStringSubmatch(body)
	secret := regexp.MustCompile(`<code id="client-secret">([^<]+)</code>`).FindStringSubmatch(body)
	if id == nil || secret == nil {
		t.Fatalf("the created page shows no client id and secret: %s", body)
	}

	// The secret shown gets a token from the token endpoint, over HTTP Basic.
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/oauth/token", strings.NewReader("grant_type=client_credentials&scope=task.read"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id[1], secret[1])
	tres, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var tok map[string]any
	json.NewDecoder(tres.Body).Decode(&tok)
	tres.Body.Close()
	if tres.StatusCode != http.StatusOK || tok["scope"] != "task.read" || tok["access_token"] == "" {
		t.Fatalf("token: %d %v", tres.StatusCode, tok)
	}

	// The list never shows the secret again.
	_, body = ts.get(t, admin, "/admin/api-clients")
	if !strings.Contains(body, id[1]) || strings.Contains(body, secret[1]) || !strings.Contains(body, "Riverside Medical Centre") {
		t.Errorf("list after create: %s", body)
	}
	clients, _ := ts.Server.Clients.List(t.Context(), 0)
	if len(clients) != 1 {
		t.Fatalf("clients: %v", clients)
	}
	res, _ = ts.post(t, admin, "/admin/api-clients/"+itoa(clients[0].ID)+"/disable", url.Values{})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d", res.StatusCode)
	}
	if _, err := ts.Server.Clients.IssueForSecret(t.Context(), id[1], secret[1], "", "test"); err == nil {
		t.Error("a disabled client still gets tokens")
	}
}

func TestOnlyAdministratorsManageAPIClients(t *testing.T) {
	ts := newTestServer(t)
	for _, email := range []string{"servicelead@linkwell.demo", "gp@linkwell.demo", "linkworker@linkwell.demo"} {
		c := ts.client(t, email)
		for _, path := range []string{"/admin/api-clients", "/admin/api-clients/new"} {
			if res, _ := ts.get(t, c, path); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s GET %s: %d, want 403", email, path, res.StatusCode)
			}
		}
		res, _ := ts.post(t, c, "/admin/api-clients/new", url.Values{"name": {"X"}, "organisation": {"1"}, "scopes": {"task.read"}})
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%s POST: %d, want 403", email, res.StatusCode)
		}
	}
	if list, _ := ts.Server.Clients.List(t.Context(), 0); len(list) != 0 {
		t.Errorf("a refused user registered a client: %v", list)
	}
	if res, _ := ts.get(t, ts.anon(), "/admin/api-clients"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous: %d, want a redirect to sign in", res.StatusCode)
	}
}
