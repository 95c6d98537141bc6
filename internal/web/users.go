package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/linkwell/linkwell/internal/access"
	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/organisation"
)

// adminRoutes lists the administration pages: users, organisations and their teams,
// data-sharing agreements, and the audit log.
func (s *Server) adminRoutes() {
	m := s.mux
	m.HandleFunc("GET /admin/users", s.handleUsers)
	m.HandleFunc("GET /admin/users/new", s.handleUserNew)
	m.HandleFunc("POST /admin/users/new", s.handleUserCreate)
	m.HandleFunc("GET /admin/users/{id}", s.handleUser)
	m.HandleFunc("POST /admin/users/{id}", s.handleUserUpdate)
	m.HandleFunc("POST /admin/users/{id}/disable", s.handleUserDisabled(true))
	m.HandleFunc("POST /admin/users/{id}/enable", s.handleUserDisabled(false))
	m.HandleFunc("POST /admin/users/{id}/password", s.handleUserPassword)
	m.HandleFunc("POST /admin/users/{id}/mfa/reset", s.handleUserMFAReset)

	m.HandleFunc("GET /admin/organisations", s.handleOrganisations)
	m.HandleFunc("GET /admin/organisations/new", s.handleOrganisationNew)
	m.HandleFunc("POST /admin/organisations/new", s.handleOrganisationCreate)
	m.HandleFunc("GET /admin/organisations/{id}", s.handleOrganisation)
	m.HandleFunc("POST /admin/organisations/{id}", s.handleOrganisationUpdate)
	m.HandleFunc("POST /admin/organisations/{id}/teams", s.handleTeamAdd)

	m.HandleFunc("GET /admin/agreements", s.handleAgreements)
	m.HandleFunc("GET /admin/agreements/new", s.handleAgreementNew)
	m.HandleFunc("POST /admin/agreements/new", s.handleAgreementCreate)
	m.HandleFunc("GET /admin/agreements/{id}", s.handleAgreement)
	m.HandleFunc("POST /admin/agreements/{id}", s.handleAgreementUpdate)

	m.HandleFunc("GET /admin/audit", s.handleAudit)
}

func userPath(id int64) string { return "/admin/users/" + itoa(id) }

var userNotices = map[string]string{
	"1":        "User saved",
	"disabled": "Account disabled: they have been signed out everywhere",
	"enabled":  "Account enabled: they can sign in again",
	"password": "Password changed: they have been signed out everywhere",
	"mfa":      "Two-step verification reset: they will set it up again when they next sign in",
}

type userRow struct {
	User    account.User
	OrgName string
}

type usersPage struct {
	Users  []userRow
	Roles  []option
	Orgs   []option // empty for service leads, who see only their own organisation
	CanAdd bool
}

func (s *Server) handleUsers(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, access.ViewUsers, access.Resource{}) {
		return
	}
	ctx, u := r.Context(), state(r).user
	scope := listScope(u)
	names, orgs, err := s.orgNames(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := usersPage{Roles: roleOptions(true), CanAdd: s.Policy.Can(ctx, u, access.ManageUser, access.Resource{})}
	if scope == 0 {
		p.Orgs = orgs
	}
	filter, err := readUserFilter(r.URL.Query(), scope)
	var list []account.User
	if err == nil {
		list, err = s.Accounts.Users(ctx, filter)
	}
	if err != nil && !onForm(err) {
		s.fail(w, r, err)
		return
	}
	for _, x := range list {
		p.Users = append(p.Users, userRow{User: x, OrgName: names[x.OrganisationID]})
	}
	v := s.newView(r, "Users", p)
	v.Form = newForm(r.URL.Query(), err)
	s.render(w, r, pageStatus(err), "users", v)
}

// readUserFilter reads the filter form; scope, when set, overrides the organisation chosen.
func readUserFilter(q url.Values, scope int64) (account.UserFilter, error) {
	var errs apperr.Fields
	f := account.UserFilter{Query: strings.TrimSpace(q.Get("q")), Role: account.Role(q.Get("role")), OrganisationID: scope}
	if f.Role != "" && !f.Role.Valid() {
		errs.Add("role", "Select a role from the list")
	}
	if scope == 0 {
		id, ok := formID(q.Get("organisation"))
		if !ok {
			errs.Add("organisation", "Select an organisation from the list")
		}
		f.OrganisationID = id
	}
	return f, errs.Err()
}

// userPage is the page for adding a user (New) or for one user: their details, the form to
// change them, and the buttons to disable or re-enable them and set their password.
type userPage struct {
	New       bool
	User      account.User // as saved, for the summary
	OrgName   string
	TeamNames string
	Orgs      []option
	AllOrgs   bool // the organisation may be left empty, which only administrators can offer
	Roles     []option
	Teams     []option
	Self      bool // it is the signed-in user's own account, which they may not disable
}

func (s *Server) handleUserNew(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, access.ManageUser, access.Resource{}) {
		return
	}
	vals := values{}
	if scope := listScope(state(r).user); scope != 0 {
		vals["organisation"] = []string{itoa(scope)}
	}
	s.showUser(w, r, http.StatusOK, account.User{}, newForm(vals, nil))
}

func (s *Server) handleUserCreate(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, access.ManageUser, access.Resource{}) || !s.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	in, err := readUserInput(r.PostForm)
	if err == nil {
		if !s.allowed(w, r, access.ManageUser, userChange(nil, in)) {
			return
		}
		err = s.checkTeams(ctx, in)
	}
	var created account.User
	if err == nil {
		created, err = s.Accounts.CreateUser(ctx, actor(r), in)
	}
	if err != nil {
		s.showUserProblem(w, r, account.User{}, err)
		return
	}
	redirectSaved(w, r, userPath(created.ID), "1")
}

func (s *Server) handleUser(w http.ResponseWriter, r *http.Request) {
	target, ok := s.userFor(w, r)
	if !ok {
		return
	}
	s.showUser(w, r, http.StatusOK, target, newForm(userValues(target), nil))
}

func (s *Server) handleUserUpdate(w http.ResponseWriter, r *http.Request) {
	target, ok := s.userFor(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	in, err := readUserInput(r.PostForm)
	if err == nil {
		if !s.allowed(w, r, access.ManageUser, userChange(&target, in)) {
			return
		}
		err = s.checkTeams(ctx, in)
	}
	if err == nil {
		_, err = s.Accounts.UpdateUser(ctx, actor(r), target.ID, in)
	}
	if err != nil {
		s.showUserProblem(w, r, target, err)
		return
	}
	redirectSaved(w, r, userPath(target.ID), "1")
}

// handleUserDisabled disables or re-enables an account; the button is the confirmation.
// Disabling ends the user's sessions, which the account service does in the same transaction.
func (s *Server) handleUserDisabled(disable bool) http.HandlerFunc {
	kind := "enabled"
	if disable {
		kind = "disabled"
	}
	return func(w http.ResponseWriter, r *http.Request) {
		target, ok := s.userFor(w, r)
		if !ok {
			return
		}
		if err := s.Accounts.SetDisabled(r.Context(), actor(r), target.ID, disable); err != nil {
			s.showUserProblem(w, r, target, err)
			return
		}
		redirectSaved(w, r, userPath(target.ID), kind)
	}
}

func (s *Server) handleUserPassword(w http.ResponseWriter, r *http.Request) {
	target, ok := s.userFor(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	if err := s.Accounts.SetPassword(r.Context(), actor(r), target.ID, r.PostForm.Get("password")); err != nil {
		if onForm(err) {
			s.showUser(w, r, statusOf(err), target, newForm(userValues(target), err))
		} else {
			s.fail(w, r, err)
		}
		return
	}
	redirectSaved(w, r, userPath(target.ID), "password")
}

// handleUserMFAReset clears a user's authenticator and recovery codes, for someone who has
// lost their phone; it signs them out, and they enrol again at their next sign-in.
func (s *Server) handleUserMFAReset(w http.ResponseWriter, r *http.Request) {
	target, ok := s.userFor(w, r)
	if !ok {
		return
	}
	if err := s.Accounts.DisableMFA(r.Context(), actor(r), target.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	redirectSaved(w, r, userPath(target.ID), "mfa")
}

// userFor finds the user a request is about and checks that the signed-in user may manage them.
func (s *Server) userFor(w http.ResponseWriter, r *http.Request) (account.User, bool) {
	if !s.allowed(w, r, access.ViewUsers, access.Resource{}) {
		return account.User{}, false
	}
	id, err := pathID(r)
	var target account.User
	if err == nil {
		target, err = s.Accounts.User(r.Context(), id)
	}
	if err != nil {
		s.fail(w, r, err)
		return account.User{}, false
	}
	return target, s.allowed(w, r, access.ManageUser, userChange(&target, account.UserInput{}))
}

// userChange is what changing a user touches: the organisation they are in now and the one
// they are being put in, both of which a service lead must lead. Only an administrator may
// make someone an administrator, and so only an administrator may change one.
func userChange(current *account.User, in account.UserInput) access.Resource {
	var res access.Resource
	if current != nil {
		res.OrganisationIDs = append(res.OrganisationIDs, current.OrganisationID)
		res.GrantsAdministrator = current.Has(account.Administrator)
	}
	if in.OrganisationID != 0 {
		res.OrganisationIDs = append(res.OrganisationIDs, in.OrganisationID)
	}
	res.GrantsAdministrator = res.GrantsAdministrator || slices.Contains(in.Roles, account.Administrator)
	return res
}

// readUserInput reads the user form. Its selects and checkboxes send ids, so a value that is
// not one means the form was altered.
func readUserInput(f url.Values) (account.UserInput, error) {
	in := account.UserInput{
		Name: f.Get("name"), Email: f.Get("email"), Password: f.Get("password"), Version: formVersion(f),
	}
	for _, v := range f["roles"] {
		in.Roles = append(in.Roles, account.Role(v))
	}
	var errs apperr.Fields
	var ok bool
	if in.OrganisationID, ok = formID(f.Get("organisation")); !ok {
		errs.Add("organisation", "Select an organisation from the list")
	}
	if in.TeamIDs, ok = formIDs(f["teams"]); !ok {
		errs.Add("teams", "Select teams from the list")
	}
	return in, errs.Err()
}

// checkTeams refuses teams outside the user's organisation, which the form never offers.
func (s *Server) checkTeams(ctx context.Context, in account.UserInput) error {
	if len(in.TeamIDs) == 0 {
		return nil
	}
	wrong := apperr.Fields{{Field: "teams", Message: "Select only teams in the user's organisation"}}.Err()
	if in.OrganisationID == 0 {
		return wrong
	}
	teams, err := s.Orgs.Teams(ctx, in.OrganisationID)
	if err != nil {
		return err
	}
	for _, id := range in.TeamIDs {
		if !slices.ContainsFunc(teams, func(t organisation.Team) bool { return t.ID == id }) {
			return wrong
		}
	}
	return nil
}

// userValues fills the form from a saved user.
func userValues(u account.User) values {
	v := values{
		"name": {u.Name}, "email": {u.Email}, "version": {itoa(u.Version)},
		"teams": idStrings(u.TeamIDs),
	}
	if u.OrganisationID != 0 {
		v["organisation"] = []string{itoa(u.OrganisationID)}
	}
	for _, role := range u.Roles {
		v["roles"] = append(v["roles"], string(role))
	}
	return v
}

// showUserProblem shows the user's page again with what was typed and what is wrong with it.
// After a conflict the page shows the user as they are now, and the form carries their
// current version, so that saving again is a deliberate choice to replace those changes.
func (s *Server) showUserProblem(w http.ResponseWriter, r *http.Request, target account.User, err error) {
	if !onForm(err) {
		s.fail(w, r, err)
		return
	}
	var version int64
	if apperr.Is(err, apperr.Conflict) && target.ID != 0 {
		fresh, ferr := s.Accounts.User(r.Context(), target.ID)
		if ferr != nil {
			s.fail(w, r, ferr)
			return
		}
		target, version = fresh, fresh.Version
	}
	typed := keepTyped(r.PostForm, version)
	delete(typed, "password")
	s.showUser(w, r, statusOf(err), target, newForm(typed, err))
}

// showUser renders the page for target, or for a new user when target has no id.
func (s *Server) showUser(w http.ResponseWriter, r *http.Request, status int, target account.User, f form) {
	ctx, u := r.Context(), state(r).user
	names, orgs, err := s.orgNames(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := userPage{New: target.ID == 0, User: target, OrgName: names[target.OrganisationID], Self: target.ID == u.ID,
		Roles: roleOptions(s.Policy.Can(ctx, u, access.ManageUser, access.Resource{GrantsAdministrator: true}))}
	scope := listScope(u)
	p.AllOrgs = scope == 0
	for _, o := range orgs {
		if scope == 0 || o.Value == itoa(scope) {
			p.Orgs = append(p.Orgs, o)
		}
	}
	if p.Teams, err = s.teamOptions(ctx, scope, names); err != nil {
		s.fail(w, r, err)
		return
	}
	p.TeamNames = optionLabels(p.Teams, idStrings(target.TeamIDs))
	title := "Add a user"
	if !p.New {
		title = target.Name
	}
	v := s.newView(r, title, p)
	v.Form = f
	v.Notice = savedNotice(r, userNotices)
	s.render(w, r, status, "user", v)
}

// roleOptions lists the roles for checkboxes and filters; the administrator role only for
// those who may grant it.
func roleOptions(withAdministrator bool) []option {
	var out []option
	for _, role := range account.Roles {
		if role != account.Administrator || withAdministrator {
			out = append(out, option{Value: string(role), Label: role.Label()})
		}
	}
	return out
}

// orgNames returns every organisation's name by id, and the organisations as choices.
func (s *Server) orgNames(ctx context.Context) (map[int64]string, []option, error) {
	list, err := s.Orgs.List(ctx)
	if err != nil {
		return nil, nil, err
	}
	names := make(map[int64]string, len(list))
	opts := make([]option, len(list))
	for i, o := range list {
		names[o.ID] = o.Name
		opts[i] = option{Value: itoa(o.ID), Label: o.Name}
	}
	return names, opts, nil
}

// teamOptions lists teams as "Organisation – Team", of one organisation or (zero) of all.
func (s *Server) teamOptions(ctx context.Context, orgID int64, names map[int64]string) ([]option, error) {
	teams, err := s.Orgs.Teams(ctx, orgID)
	if err != nil {
		return nil, err
	}
	out := make([]option, len(teams))
	for i, t := range teams {
		out[i] = option{Value: itoa(t.ID), Label: names[t.OrganisationID] + " – " + t.Name}
	}
	slices.SortFunc(out, func(a, b option) int { return strings.Compare(a.Label, b.Label) })
	return out, nil
}

// optionLabels joins the labels of the chosen options.
func optionLabels(opts []option, chosen []string) string {
	var out []string
	for _, o := range opts {
		if slices.Contains(chosen, o.Value) {
			out = append(out, o.Label)
		}
	}
	return strings.Join(out, ", ")
}
