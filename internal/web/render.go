package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/access"
	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
)

// pages holds one parsed template set per page, each with the shared layout and partials.
type pages struct {
	sets map[string]*template.Template
}

var london = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		return time.UTC
	}
	return loc
}()

var funcs = template.FuncMap{
	"fieldError": func(f form, name string) string { return f.Errors[name] },
	"value":      func(f form, name string) string { return f.Values.Get(name) },
	"has":        func(f form, name, v string) bool { return containsValue(f.Values[name], v) },
	"dict": func(kv ...any) (map[string]any, error) {
		if len(kv)%2 != 0 {
			return nil, fmt.Errorf("dict needs pairs")
		}
		m := make(map[string]any, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return m, nil
	},
	"datetime": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(london).Format("2 January 2006 at 3:04pm")
	},
	"date": func(s string) string {
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			return s
		}
		return t.Format("2 January 2006")
	},
	"plus": func(a, b int) int { return a + b },
}

func containsValue(vs []string, v string) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}

func parsePages() (*pages, error) {
	base, err := template.New("base").Funcs(funcs).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	files, err := fs.Glob(templateFS, "templates/pages/*.html")
	if err != nil {
		return nil, fmt.Errorf("list pages: %w", err)
	}
	p := &pages{sets: map[string]*template.Template{}}
	for _, f := range files {
		set, err := template.Must(base.Clone()).ParseFS(templateFS, f)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", f, err)
		}
		p.sets[strings.TrimSuffix(path.Base(f), ".html")] = set
	}
	return p, nil
}

// form carries what a user typed and what is wrong with it, so that a page with errors shows
// their input again.
type form struct {
	Values values
	Errors map[string]string
	Order  []apperr.FieldError
}

type values map[string][]string

// Get returns the first value of name.
func (v values) Get(name string) string {
	if x := v[name]; len(x) > 0 {
		return x[0]
	}
	return ""
}

// newForm starts a form from submitted values and an error, if the error is about fields.
func newForm(vals map[string][]string, err error) form {
	f := form{Values: vals, Errors: map[string]string{}}
	if f.Values == nil {
		f.Values = map[string][]string{}
	}
	if ae, ok := apperr.As(err); ok {
		for _, fe := range ae.Fields {
			if _, seen := f.Errors[fe.Field]; !seen {
				f.Errors[fe.Field] = fe.Message
				f.Order = append(f.Order, fe)
			}
		}
		if len(ae.Fields) == 0 && ae.Kind != apperr.Internal {
			f.Order = append(f.Order, apperr.FieldError{Message: ae.Message})
		}
	}
	return f
}

// view is what every page template receives.
type view struct {
	Title     string
	Nonce     string
	User      *account.User
	OrgName   string
	Nav       []navLink
	Form      form
	Notice    string
	ExpiresIn int
	Status    int
	Data      any
}

type navLink struct {
	Href, Label string
	Current     bool
}

// HasErrors reports whether the error summary is shown, which also prefixes the title.
func (v view) HasErrors() bool { return len(v.Form.Order) > 0 }

func (s *Server) newView(r *http.Request, title string, data any) view {
	st := state(r)
	v := view{Title: title, Nonce: st.nonce, Data: data, Form: newForm(nil, nil)}
	if st.signed {
		u := st.user
		v.User = &u
		v.ExpiresIn = int(time.Until(st.session.ExpiresAt()) / time.Second)
		if u.OrganisationID != 0 {
			// The header can do without the name if the lookup fails; the page itself still renders.
			v.OrgName, _ = s.Orgs.Name(r.Context(), u.OrganisationID)
		}
		v.Nav = s.navFor(r, u)
	}
	return v
}

func (s *Server) navFor(r *http.Request, u account.User) []navLink {
	links := []navLink{{Href: "/", Label: "Home"}}
	ctx := r.Context()
	if s.Policy.Can(ctx, u, access.UseCaseload, access.Resource{}) {
		links = append(links, navLink{Href: "/caseload", Label: "My caseload"}, navLink{Href: "/caseload/team", Label: "Team caseload"},
			navLink{Href: "/people/search", Label: "Find a person"}, navLink{Href: "/directory", Label: "Community services"})
	}
	if s.Policy.Can(ctx, u, access.ActAsProvider, access.Resource{}) {
		links = append(links, navLink{Href: "/provider", Label: "Your services"}, navLink{Href: "/provider/connections", Label: "Connections"})
	}
	if s.Policy.Can(ctx, u, access.MakeReferral, access.Resource{}) {
		links = append(links, navLink{Href: "/referrals", Label: "Referrals"})
	}
	if s.Policy.Can(ctx, u, access.ManageServices, access.Resource{}) {
		links = append(links, navLink{Href: "/services", Label: "Services"})
	}
	if u.HasAny(account.ServiceLead, account.Administrator) {
		links = append(links, navLink{Href: "/workforce/staff", Label: "Staff"})
	}
	if s.Policy.Can(ctx, u, access.ViewServiceReports, access.Resource{}) {
		links = append(links, navLink{Href: "/reports/service", Label: "Reports"})
	} else if s.Policy.Can(ctx, u, access.ViewCommissionerReports, access.Resource{}) {
		links = append(links, navLink{Href: "/reports/commissioner", Label: "Dashboard"})
	}
	if s.Policy.Can(ctx, u, access.ViewProvisionGaps, access.Resource{}) {
		links = append(links, navLink{Href: "/directory/gaps", Label: "Gaps in provision"})
	}
	if s.Policy.Can(ctx, u, access.ViewUsers, access.Resource{}) {
		links = append(links, navLink{Href: "/admin/users", Label: "Users"})
	}
	if s.Policy.Can(ctx, u, access.ViewOrganisations, access.Resource{}) {
		links = append(links, navLink{Href: "/admin/organisations", Label: "Organisations"})
	}
	if s.Policy.Can(ctx, u, access.ViewAgreements, access.Resource{}) {
		links = append(links, navLink{Href: "/admin/agreements", Label: "Data sharing"})
	}
	if s.Policy.Can(ctx, u, access.ViewAudit, access.Resource{}) {
		links = append(links, navLink{Href: "/admin/audit", Label: "Audit log"})
	}
	if s.Policy.Can(ctx, u, access.ManageAPIClients, access.Resource{}) {
		links = append(links, navLink{Href: "/admin/api-clients", Label: "API clients"})
	}
	if u.Has(account.SafeguardingLead) {
		links = append(links, navLink{Href: "/safeguarding", Label: "Safeguarding concerns"})
	}
	if u.Has(account.OccupationalTherapist) {
		links = append(links, navLink{Href: "/clinical-input", Label: "Clinical input"}, navLink{Href: "/oversight", Label: "Oversight"})
	}
	if u.Has(account.Supervisor) {
		links = append(links, navLink{Href: "/supervision", Label: "Supervision"}, navLink{Href: "/advice", Label: "Advice requests"})
		links = append(links, navLink{Href: "/overrides", Label: "Emergency access review"})
	}
	links = append(links, navLink{Href: "/notifications", Label: s.notificationsLabel(r, u)})
	links = append(links, navLink{Href: "/account", Label: "Your account"})
	// Only the longest link that leads to this page is current, so /caseload/team does not
	// also mark /caseload.
	best := -1
	for i, l := range links {
		if (r.URL.Path == l.Href || l.Href != "/" && strings.HasPrefix(r.URL.Path, l.Href+"/")) &&
			(best < 0 || len(l.Href) > len(links[best].Href)) {
			best = i
		}
	}
	if best >= 0 {
		links[best].Current = true
	}
	return links
}

// render writes a page. It renders into a buffer first so that a template failure becomes a
// clean 500 page rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, v view) {
	set, ok := s.pages.sets[page]
	if !ok {
		s.fail(w, r, fmt.Errorf("render: no page %q", page))
		return
	}
	v.Status = status
	var buf bytes.Buffer
	if err := set.ExecuteTemplate(&buf, "layout", v); err != nil {
		s.fail(w, r, fmt.Errorf("render %s: %w", page, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	buf.WriteTo(w)
}
