package web

import "net/http"

// routes lists every route in one place. Everything outside openPaths needs a signed-in
// session (see loadSession); each handler then asks the access policy about its action.
func (s *Server) routes() {
	m := s.mux
	m.HandleFunc("GET /healthz", s.handleHealthz)
	m.HandleFunc("GET /readyz", s.handleReadyz)
	m.HandleFunc("GET /metrics", s.handleMetrics)
	m.Handle("GET /assets/", s.staticHandler())

	m.HandleFunc("GET /login", s.handleLoginForm)
	m.HandleFunc("POST /login", s.handleLogin)
	m.HandleFunc("POST /logout", s.handleLogout)
	m.HandleFunc("POST /session/keepalive", s.handleKeepAlive)

	m.HandleFunc("GET /self-referral", s.handleSelfReferralForm)
	m.HandleFunc("POST /self-referral", s.handleSelfReferral)
	m.HandleFunc("GET /self-referral/sent", s.handleSelfReferralSent)

	m.HandleFunc("GET /{$}", s.handleHome)
	m.HandleFunc("GET /accessibility", s.handleStaticPage("accessibility", "Accessibility statement"))
	m.HandleFunc("GET /privacy", s.handleStaticPage("privacy", "Privacy notice"))
	s.apiRoutes()
	s.orukRoutes()
	s.adminRoutes()
	s.mfaRoutes()
	s.caseworkRoutes()
	s.recordRoutes()
	s.safetyRoutes()
	s.referralRoutes()
	s.workforceRoutes()
	s.staffRoutes()
	s.directoryRoutes()
	s.providerRoutes()
	s.signpostEmailRoutes()
	s.outcomeRoutes()
	s.apiClientRoutes()
	s.fhirRoutes()
	s.practiceListRoutes()
	s.directoryImportRoutes()
	s.directoryGapsRoutes()
}

// handleStaticPage serves a page with no data of its own.
func (s *Server) handleStaticPage(page, title string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.render(w, r, http.StatusOK, page, s.newView(r, title, nil))
	}
}
