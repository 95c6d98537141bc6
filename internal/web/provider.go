package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/linkwell/linkwell/internal/access"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/directory"
	"github.com/linkwell/linkwell/internal/provider"
)

// The community provider's pages (DESIGN §2): its own listings, the connections made to its
// services, and the single-use link pages for providers with no account.

func (s *Server) providerRoutes() {
	m := s.mux
	m.HandleFunc("GET /provider", s.handleProviderHome)
	m.HandleFunc("GET /provider/connections", s.handleProviderConnections)
	m.HandleFunc("POST /provider/connections/{conn}", s.handleProviderAnswer)
	m.HandleFunc("GET /provider-link/answered", s.handleProviderLinkAnswered)
	m.HandleFunc("GET /provider-link/{token}", s.handleProviderLink)
	m.HandleFunc("POST /provider-link/{token}", s.handleProviderLinkAnswer)
	s.listingRoutes()
}

// isProviderLink reports whether path is a single-use link page, which needs no session.
func isProviderLink(path string) bool { return strings.HasPrefix(path, "/provider-link/") }

type providerHomePage struct {
	Listings []directoryResult
	Reports  map[string]int // open reports by service id
	Waiting  int            // connections waiting for an answer or a first session
}

func (s *Server) handleProviderHome(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, access.ActAsProvider, access.Resource{}) {
		return
	}
	u := state(r).user
	listings, err := s.Providers.Listings(r.Context(), u.OrganisationID)
	var waiting []provider.Connection
	if err == nil {
		waiting, err = s.Providers.Connections(r.Context(), actor(r), u.OrganisationID)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := providerHomePage{}
	for _, sv := range listings {
		page.Listings = append(page.Listings, directoryRow(directory.ServiceAtLocation{Service: &sv}, time.Now()))
	}
	for _, cn := range waiting {
		if len(cn.Answers) > 0 {
			page.Waiting++
		}
	}
	s.render(w, r, http.StatusOK, "provider_home", s.newView(r, "Your services", page))
}

// providerConnection is a connection as the provider's pages show it.
type providerConnection struct {
	provider.Connection
	Prefix      string
	StatusLabel string
	Tag         string
	Methods     string
	Action      string // where its answers are sent
	CanAccept   bool
	CanDecline  bool
	CanAttended bool
}

func newProviderConnection(cn provider.Connection, action string) providerConnection {
	pc := providerConnection{Connection: cn, Prefix: connPrefix(cn.ID), StatusLabel: cn.Status.Label(),
		Tag: connectionTag(cn.Status), Action: action}
	for _, a := range cn.Answers {
		switch a {
		case casework.ProviderAccept:
			pc.CanAccept = true
		case casework.ProviderDecline:
			pc.CanDecline = true
		case casework.ProviderAttended:
			pc.CanAttended = true
		}
	}
	if cn.Contact != nil {
		var labels []string
		for _, m := range cn.Contact.Methods {
			labels = append(labels, m.Label())
		}
		pc.Methods = strings.Join(labels, ", ")
	}
	return pc
}

type providerConnectionsPage struct {
	Waiting []providerConnection
	Recent  []providerConnection
}

var providerNotices = map[string]string{
	"accept":   "Connection accepted. The worker who referred them has been told.",
	"decline":  "Connection declined. The worker who referred them has been told.",
	"attended": "First session confirmed. Thank you.",
}

func (s *Server) handleProviderConnections(w http.ResponseWriter, r *http.Request) {
	if s.allowed(w, r, access.ActAsProvider, access.Resource{}) {
		s.showProviderConnections(w, r, http.StatusOK, form{})
	}
}

func (s *Server) showProviderConnections(w http.ResponseWriter, r *http.Request, status int, f form) {
	list, err := s.Providers.Connections(r.Context(), actor(r), state(r).user.OrganisationID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var page providerConnectionsPage
	for _, cn := range list {
		pc := newProviderConnection(cn, "/provider/connections/"+itoa(cn.ID))
		if len(cn.Answers) > 0 {
			page.Waiting = append(page.Waiting, pc)
		} else {
			page.Recent = append(page.Recent, pc)
		}
	}
	s.renderForm(w, r, status, "provider_connections", "Connections to your services", page, f, providerNotices)
}

// renderForm renders a page with a form: shown again with its problems, or fresh with the
// confirmation of the change that redirected to it.
func (s *Server) renderForm(w http.ResponseWriter, r *http.Request, status int, page, title string, data any, f form, notices map[string]string) {
	v := s.newView(r, title, data)
	if f.Values != nil {
		v.Form = f
	} else {
		v.Notice = savedNotice(r, notices)
	}
	s.render(w, r, status, page, v)
}

func (s *Server) handleProviderAnswer(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, access.ActAsProvider, access.Resource{}) || !s.parseForm(w, r) {
		return
	}
	id, err := pathNumber(r, "conn")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a, p := readAnswer(r.PostForm, id)
	err = s.Providers.Answer(r.Context(), actor(r), state(r).user.OrganisationID, id, a, r.PostForm.Get(p+"reason"), formVersion(r.PostForm))
	switch {
	case err == nil:
		redirectSaved(w, r, "/provider/connections", string(a))
	case onForm(err):
		s.showProviderConnections(w, r, statusOf(err), newForm(r.PostForm, prefixed(err, p)))
	default:
		s.fail(w, r, err)
	}
}

// readAnswer reads which answer button was pressed, and the prefix of the connection's fields.
func readAnswer(f url.Values, id int64) (casework.ProviderAnswer, string) {
	return casework.ProviderAnswer(f.Get("answer")), connPrefix(id)
}

// Single-use links

// providerLinkGuard slows down anyone guessing links: an address that has followed
// linkFailuresAllowed links that do not exist within linkFailureWindow is refused for the rest
// of the window. Tokens are 256 bits, so this keeps the log quiet rather than the links safe.
type providerLinkGuard struct {
	mu       sync.Mutex
	now      func() time.Time
	failures map[string][]time.Time
}

const (
	linkFailuresAllowed = 10
	linkFailureWindow   = 15 * time.Minute
)

func newProviderLinkGuard() *providerLinkGuard {
	return &providerLinkGuard{now: time.Now, failures: map[string][]time.Time{}}
}

// allow reports whether addr may follow a link now.
func (g *providerLinkGuard) allow(addr string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.failures[addr] = within(g.failures[addr], g.now(), linkFailureWindow)
	if len(g.failures[addr]) == 0 {
		delete(g.failures, addr)
	}
	return len(g.failures[addr]) < linkFailuresAllowed
}

// failed counts a link from addr that does not exist.
func (g *providerLinkGuard) failed(addr string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.failures) > 10000 {
		clear(g.failures) // a flood from many addresses: start counting again rather than grow
	}
	g.failures[addr] = append(g.failures[addr], g.now())
}

var errLinkTooMany = apperr.New(apperr.TooMany, "Too many links that do not work have been opened from here. Wait 15 minutes, then try again.")

// linkActor is who uses a link, for the audit log: nobody signed in, from an address.
func linkActor(r *http.Request) audit.Actor {
	return audit.Actor{Label: "provider link", Address: clientAddress(r)}
}

type providerLinkPage struct {
	Connection providerConnection
	Problem    string
}

// openProviderLink checks the guard and the link, answering the problem page itself when the
// link cannot be used.
func (s *Server) openProviderLink(w http.ResponseWriter, r *http.Request) (provider.Connection, bool) {
	// The token must not travel on in a Referer header, even to this site's own assets.
	w.Header().Set("Referrer-Policy", "no-referrer")
	addr := clientAddress(r)
	if !s.providerLink.allow(addr) {
		s.fail(w, r, errLinkTooMany)
		return provider.Connection{}, false
	}
	cn, err := s.Providers.OpenLink(r.Context(), linkActor(r), r.PathValue("token"))
	if err != nil {
		s.linkProblem(w, r, addr, err)
		return provider.Connection{}, false
	}
	return cn, true
}

// linkProblem explains why a link cannot be used: 404 for one that never existed, 410 for one
// that is spent, expired or outdated.
func (s *Server) linkProblem(w http.ResponseWriter, r *http.Request, addr string, err error) {
	status := http.StatusGone
	switch {
	case errors.Is(err, provider.ErrLinkUnknown):
		s.providerLink.failed(addr)
		status = http.StatusNotFound
	case errors.Is(err, provider.ErrLinkExpired), errors.Is(err, provider.ErrLinkUsed), errors.Is(err, provider.ErrLinkOutdated):
	default:
		s.fail(w, r, err)
		return
	}
	ae, _ := apperr.As(err)
	s.render(w, r, status, "provider_link", s.newView(r, "This link cannot be used", providerLinkPage{Problem: ae.Message}))
}

func (s *Server) handleProviderLink(w http.ResponseWriter, r *http.Request) {
	if cn, ok := s.openProviderLink(w, r); ok {
		s.showProviderLink(w, r, http.StatusOK, cn, form{})
	}
}

func (s *Server) showProviderLink(w http.ResponseWriter, r *http.Request, status int, cn provider.Connection, f form) {
	v := s.newView(r, "Referral to "+cn.ServiceName, providerLinkPage{Connection: newProviderConnection(cn, r.URL.Path)})
	if f.Values != nil {
		v.Form = f
	}
	s.render(w, r, status, "provider_link", v)
}

func (s *Server) handleProviderLinkAnswer(w http.ResponseWriter, r *http.Request) {
	cn, ok := s.openProviderLink(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	a, p := readAnswer(r.PostForm, cn.ID)
	_, err := s.Providers.AnswerLink(r.Context(), linkActor(r), r.PathValue("token"), a, r.PostForm.Get(p+"reason"), formVersion(r.PostForm))
	switch {
	case err == nil:
		s.sendProviderLinks(r.Context(), s.linkBase(r), cn.ID)
		http.Redirect(w, r, "/provider-link/answered?answer="+url.QueryEscape(string(a)), http.StatusSeeOther)
	case onForm(err):
		s.showProviderLink(w, r, statusOf(err), cn, newForm(r.PostForm, prefixed(err, p)))
	default:
		s.linkProblem(w, r, clientAddress(r), err)
	}
}

var linkAnsweredNotices = map[string]string{
	"accept":   "You have accepted the referral. We will email you another link, to tell us when they come to their first session.",
	"decline":  "You have declined the referral. The worker who referred them has been told why.",
	"attended": "You have told us they came to their first session.",
}

func (s *Server) handleProviderLinkAnswered(w http.ResponseWriter, r *http.Request) {
	msg, ok := linkAnsweredNotices[r.URL.Query().Get("answer")]
	if !ok {
		s.fail(w, r, errNoPage)
		return
	}
	s.render(w, r, http.StatusOK, "provider_link_answered", s.newView(r, "Thank you", msg))
}

// linkBase is where links in emails point: the configured public address, or else the site
// the request came to.
func (s *Server) linkBase(r *http.Request) string {
	if s.Config.PublicURL != "" {
		return s.Config.PublicURL
	}
	scheme := "http"
	if s.Config.TLS() {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// sendProviderLinks emails the single-use links due, for the connections named or, with none,
// for all; a failure is logged and tried again later. Housekeeping calls it with no base when
// no public address is configured, and then sends nothing.
func (s *Server) sendProviderLinks(ctx context.Context, base string, connectionIDs ...int64) {
	if base == "" {
		return
	}
	n, err := s.Providers.SendLinks(ctx, s.Mailer, base, connectionIDs...)
	if err != nil {
		s.Log.WarnContext(ctx, "provider links not all sent", "err", err)
	}
	if n > 0 {
		s.Log.InfoContext(ctx, "provider links sent", "count", n)
	}
}

// sendLinksAfter sends the links a change to a case's connections made due, once it succeeded.
func (s *Server) sendLinksAfter(r *http.Request, caseID int64) {
	list, err := s.Cases.Connections(r.Context(), caseID)
	if err != nil {
		s.Log.WarnContext(r.Context(), "provider links not sent", "err", err)
		return
	}
	var ids []int64
	for _, cn := range list {
		if cn.DirectoryServiceID != 0 && (cn.Status == casework.ConnReferred || cn.Status == casework.ConnAccepted) {
			ids = append(ids, cn.ID)
		}
	}
	if len(ids) > 0 {
		s.sendProviderLinks(r.Context(), s.linkBase(r), ids...)
	}
}
