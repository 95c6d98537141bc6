package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/linkwell/linkwell/internal/access"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/referral"
)

// The receiving services pages: service leads set out who each service is for, who it is not
// for, and how quickly it responds, which referrers then see before they start (DESIGN F2, F11).

func servicePath(id int64) string { return "/services/" + itoa(id) }

var serviceNotices = map[string]string{"created": "Service added: referrers can now choose it"}

type serviceRow struct {
	referral.ReceivingService
	OrgName string
}

type servicesPage struct {
	Services []serviceRow
}

func (s *Server) handleServices(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, access.ManageServices, access.Resource{}) {
		return
	}
	ctx := r.Context()
	scope := listScope(state(r).user)
	names, _, err := s.orgNames(ctx)
	var list []referral.ReceivingService
	if err == nil {
		list, err = s.Referrals.Services(ctx)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var p servicesPage
	for _, svc := range list {
		if scope == 0 || svc.OrganisationID == scope {
			p.Services = append(p.Services, serviceRow{ReceivingService: svc, OrgName: names[svc.OrganisationID]})
		}
	}
	s.render(w, r, http.StatusOK, "services", s.newView(r, "Services that take referrals", p))
}

// servicePage is the page for adding a service (New) or for one service and its criteria.
type servicePage struct {
	New      bool
	Service  referral.ReceivingService
	OrgName  string
	TeamName string
	Orgs     []option
	Teams    []option
}

func (s *Server) handleServiceNew(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, access.ManageServices, access.Resource{}) {
		return
	}
	vals := values{"response_days": {"10"}}
	if scope := listScope(state(r).user); scope != 0 {
		vals["organisation"] = []string{itoa(scope)}
	}
	s.showService(w, r, http.StatusOK, referral.ReceivingService{}, newForm(vals, nil))
}

func (s *Server) handleServiceCreate(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, access.ManageServices, access.Resource{}) || !s.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	in, err := readServiceInput(r.PostForm)
	if in.OrganisationID != 0 && !s.allowed(w, r, access.ManageServices, access.Resource{OrganisationIDs: []int64{in.OrganisationID}}) {
		return
	}
	if err == nil {
		err = s.checkServiceTeam(r, in)
	}
	var created referral.ReceivingService
	if err == nil {
		created, err = s.Referrals.CreateService(ctx, actor(r), in)
	}
	if err != nil {
		if !onForm(err) {
			s.fail(w, r, err)
			return
		}
		s.showService(w, r, statusOf(err), referral.ReceivingService{}, newForm(r.PostForm, err))
		return
	}
	redirectSaved(w, r, servicePath(created.ID), "created")
}

// readServiceInput reads the service form; ids that are not ids mean the form was altered.
func readServiceInput(f url.Values) (referral.ServiceInput, error) {
	in := referral.ServiceInput{
		Name: f.Get("name"), Description: f.Get("description"), Inclusion: f.Get("inclusion"),
		Exclusion: f.Get("exclusion"), AcceptsSelfReferral: f.Get("accepts_self_referral") == "yes",
	}
	var errs apperr.Fields
	var ok bool
	if in.OrganisationID, ok = formID(f.Get("organisation")); !ok {
		errs.Add("organisation", "Select an organisation from the list")
	}
	if in.TeamID, ok = formID(f.Get("team")); !ok {
		errs.Add("team", "Select a team from the list")
	}
	days := strings.TrimSpace(f.Get("response_days"))
	if n, err := strconv.Atoi(days); err == nil {
		in.ResponseDays = n
	} else if days != "" {
		errs.Add("response_days", "Response time must be a whole number of working days, like 10")
	}
	// The service checks the rest, so that every problem is listed at once.
	if verr := in.Validate(); verr != nil {
		if ae, ok := apperr.As(verr); ok {
			for _, fe := range ae.Fields {
				if !slices.ContainsFunc(errs, func(x apperr.FieldError) bool { return x.Field == fe.Field }) {
					errs = append(errs, fe)
				}
			}
		}
	}
	return in, orderFields(errs.Err(), serviceFieldOrder, "", "")
}

// serviceFieldOrder is the order of the service form's fields, which the error summary follows.
var serviceFieldOrder = []string{"organisation", "team", "name", "description", "inclusion", "exclusion", "response_days"}

// checkServiceTeam refuses a team outside the service's organisation, which the form never offers.
func (s *Server) checkServiceTeam(r *http.Request, in referral.ServiceInput) error {
	if in.TeamID == 0 {
		return nil
	}
	teams, err := s.Orgs.Teams(r.Context(), in.OrganisationID)
	if err != nil {
		return err
	}
	for _, t := range teams {
		if t.ID == in.TeamID {
			return nil
		}
	}
	return apperr.Fields{{Field: "team", Message: "Select a team in the organisation that runs the service"}}.Err()
}

func (s *Server) handleService(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, access.ManageServices, access.Resource{}) {
		return
	}
	id, err := pathID(r)
	var svc referral.ReceivingService
	if err == nil {
		svc, err = s.Referrals.ReceivingService(r.Context(), id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !s.allowed(w, r, access.ManageServices, access.Resource{OrganisationIDs: []int64{svc.OrganisationID}}) {
		return
	}
	s.showService(w, r, http.StatusOK, svc, newForm(nil, nil))
}

// showService renders the page for svc, or the form for a new service when svc has no id.
func (s *Server) showService(w http.ResponseWriter, r *http.Request, status int, svc referral.ReceivingService, f form) {
	ctx := r.Context()
	names, orgs, err := s.orgNames(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	scope := listScope(state(r).user)
	p := servicePage{New: svc.ID == 0, Service: svc, OrgName: names[svc.OrganisationID]}
	for _, o := range orgs {
		if scope == 0 || o.Value == itoa(scope) {
			p.Orgs = append(p.Orgs, o)
		}
	}
	if p.Teams, err = s.teamOptions(ctx, scope, names); err != nil {
		s.fail(w, r, err)
		return
	}
	p.TeamName = optionLabels(p.Teams, []string{itoa(svc.TeamID)})
	title := "Add a service that takes referrals"
	if !p.New {
		title = svc.Name
	}
	v := s.newView(r, title, p)
	v.Form = f
	v.Notice = savedNotice(r, serviceNotices)
	s.render(w, r, status, "service", v)
}
