package web

import (
	"net/http"

	"github.com/linkwell/linkwell/internal/access"
	"github.com/linkwell/linkwell/internal/apiclient"
)

// The systems that use Linkwell's APIs: administrators register them here (or with
// `linkwell client create`), and the clients get tokens at POST /oauth/token.

func (s *Server) apiClientRoutes() {
	m := s.mux
	m.Handle("POST /oauth/token", apiclient.TokenEndpoint{Clients: s.Clients, Log: s.Log, URL: s.tokenURL, Address: clientAddress})
	m.HandleFunc("GET /admin/api-clients", s.handleAPIClients)
	m.HandleFunc("GET /admin/api-clients/new", s.handleAPIClientNew)
	m.HandleFunc("POST /admin/api-clients/new", s.handleAPIClientCreate)
	m.HandleFunc("POST /admin/api-clients/{id}/disable", s.handleAPIClientDisable)
}

// tokenURL is the token endpoint's address as the client reached it: the audience a signed
// client assertion must name.
func (s *Server) tokenURL(r *http.Request) string { return s.ownURL(r, "/oauth/token") }

var apiClientNotices = map[string]string{"disabled": "Client disabled: its tokens no longer work"}

type apiClientRow struct {
	Client  apiclient.Client
	OrgName string
	Scopes  []string
}

type apiClientsPage struct {
	Clients []apiClientRow
}

func (s *Server) handleAPIClients(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, access.ManageAPIClients, access.Resource{}) {
		return
	}
	ctx := r.Context()
	list, err := s.Clients.List(ctx, 0)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	names, _, err := s.orgNames(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := apiClientsPage{}
	for _, c := range list {
		row := apiClientRow{Client: c, OrgName: names[c.OrganisationID]}
		for _, sc := range c.Scopes {
			row.Scopes = append(row.Scopes, string(sc))
		}
		p.Clients = append(p.Clients, row)
	}
	v := s.newView(r, "API clients", p)
	v.Notice = savedNotice(r, apiClientNotices)
	s.render(w, r, http.StatusOK, "api_clients", v)
}

// apiClientPage is the form to register a client, or (Created) the client just registered
// with its secret, shown this once.
type apiClientPage struct {
	Orgs    []option
	Scopes  []option
	Created *apiclient.Client
	OrgName string
	Secret  string
}

func scopeOptions() []option {
	out := make([]option, len(apiclient.Scopes))
	for i, sc := range apiclient.Scopes {
		out[i] = option{Value: string(sc), Label: sc.Label() + " (" + string(sc) + ")"}
	}
	return out
}

func (s *Server) handleAPIClientNew(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, access.ManageAPIClients, access.Resource{}) {
		return
	}
	s.showAPIClientForm(w, r, http.StatusOK, newForm(nil, nil))
}

func (s *Server) showAPIClientForm(w http.ResponseWriter, r *http.Request, status int, f form) {
	_, orgs, err := s.orgNames(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "Register an API client", apiClientPage{Orgs: orgs, Scopes: scopeOptions()})
	v.Form = f
	s.render(w, r, status, "api_client", v)
}

func (s *Server) handleAPIClientCreate(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, access.ManageAPIClients, access.Resource{}) || !s.parseForm(w, r) {
		return
	}
	f := r.PostForm
	org, ok := formID(f.Get("organisation"))
	if !ok {
		org = 0 // not an id: reported as no organisation chosen
	}
	cl, secret, err := s.Clients.Create(r.Context(), actor(r), apiclient.Input{Name: f.Get("name"), OrganisationID: org,
		Scopes: f["scopes"], PublicKey: f.Get("public_key")})
	if err != nil {
		if !onForm(err) {
			s.fail(w, r, err)
			return
		}
		s.showAPIClientForm(w, r, statusOf(err), newForm(values(f), err))
		return
	}
	orgName, _ := s.Orgs.Name(r.Context(), cl.OrganisationID)
	// The secret is shown on this response alone: a redirect would need it stored somewhere.
	v := s.newView(r, "API client registered", apiClientPage{Created: &cl, OrgName: orgName, Secret: secret})
	s.render(w, r, http.StatusOK, "api_client", v)
}

func (s *Server) handleAPIClientDisable(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, access.ManageAPIClients, access.Resource{}) {
		return
	}
	id, err := pathID(r)
	if err == nil {
		err = s.Clients.Disable(r.Context(), actor(r), id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	redirectSaved(w, r, "/admin/api-clients", "disabled")
}
