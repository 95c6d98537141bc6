package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/referral"
)

// The public self-referral page (issue 3, item 2): a person asks for support themselves, with
// no account. It asks few questions in plain English and lands as a referral needing triage.
// Floods and bots are held off in three ways, none of which needs JavaScript:
//   - a form token signed by the server, carrying when the form was given out: a post without
//     one, with a forged one, one older than formLifetime, or one sent back sooner than a
//     person could fill the form in (minFillTime) is refused with the typed answers kept;
//   - a honeypot field that people never see or fill in: a post that fills it is thanked and
//     dropped, so a bot learns nothing;
//   - limits on how many requests one address, and everyone together, may send in a window.

const (
	minFillTime  = 3 * time.Second
	formLifetime = 2 * time.Hour
	honeypot     = "website"
)

// selfReferralGuard holds the signing key for form tokens and the sending limits.
type selfReferralGuard struct {
	key     []byte
	now     func() time.Time
	mu      sync.Mutex
	byAddr  map[string][]time.Time
	overall []time.Time
}

// Limits: an address may send 3 requests in 10 minutes and 10 in a day; everyone together 300
// in an hour, far above what one service receives, so that a flood cannot bury real requests
// in the triage queue.
var selfReferralLimits = []struct {
	n      int
	window time.Duration
}{{3, 10 * time.Minute}, {10, 24 * time.Hour}}

const overallLimit, overallWindow = 300, time.Hour

func newSelfReferralGuard() *selfReferralGuard {
	key := make([]byte, 32)
	rand.Read(key) // never fails (crypto/rand panics rather than return an error)
	return &selfReferralGuard{key: key, now: time.Now, byAddr: map[string][]time.Time{}}
}

// token signs the time a form was given out.
func (g *selfReferralGuard) token() string {
	at := strconv.FormatInt(g.now().UnixMilli(), 10)
	return at + "." + g.sign(at)
}

func (g *selfReferralGuard) sign(at string) string {
	m := hmac.New(sha256.New, g.key)
	m.Write([]byte("self-referral:" + at))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

var (
	errFormExpired = apperr.New(apperr.Invalid, "This form has expired or could not be checked. Check your answers and send it again.")
	errTooQuick    = apperr.New(apperr.Invalid, "Please check your answers, then send the form again.")
	errTooMany     = apperr.New(apperr.TooMany, "We have received a lot of requests from here recently. Please try again later, or ask your GP practice to refer you.")
)

// checkToken reports whether a form token is genuine, fresh, and was not sent back faster
// than a person could have filled the form in.
func (g *selfReferralGuard) checkToken(tok string) error {
	at, sig, ok := strings.Cut(tok, ".")
	ms, err := strconv.ParseInt(at, 10, 64)
	if !ok || err != nil || !hmac.Equal([]byte(sig), []byte(g.sign(at))) {
		return errFormExpired
	}
	age := g.now().Sub(time.UnixMilli(ms))
	switch {
	case age > formLifetime || age < 0:
		return errFormExpired
	case age < minFillTime:
		return errTooQuick
	}
	return nil
}

// allow counts a request from addr against the limits, refusing it when any is reached.
func (g *selfReferralGuard) allow(addr string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	g.overall = within(g.overall, now, overallWindow)
	if len(g.overall) >= overallLimit {
		return false
	}
	longest := selfReferralLimits[len(selfReferralLimits)-1].window
	sent := within(g.byAddr[addr], now, longest)
	for _, l := range selfReferralLimits {
		if len(within(sent, now, l.window)) >= l.n {
			g.byAddr[addr] = sent
			return false
		}
	}
	g.byAddr[addr] = append(sent, now)
	g.overall = append(g.overall, now)
	if len(g.byAddr) > 10000 {
		g.prune(now, longest)
	}
	return true
}

// within returns the times no older than window, which are kept in order.
func within(ts []time.Time, now time.Time, window time.Duration) []time.Time {
	i := 0
	for i < len(ts) && now.Sub(ts[i]) > window {
		i++
	}
	return ts[i:]
}

func (g *selfReferralGuard) prune(now time.Time, window time.Duration) {
	for a, ts := range g.byAddr {
		if len(within(ts, now, window)) == 0 {
			delete(g.byAddr, a)
		}
	}
}

type selfReferralPage struct {
	Services  []referral.ReceivingService
	Token     string
	Needs     []option
	GPSharing []option
	Contact   []option
}

// selfReferralFieldOrder is the order of the form's fields, which the error summary follows.
var selfReferralFieldOrder = []string{"service", "given_name", "family_name", "dob", "nhs_number", "postcode",
	"phone", "email", "contact_methods", "needs", "details", "consent", "gp_sharing"}

func (s *Server) handleSelfReferralForm(w http.ResponseWriter, r *http.Request) {
	s.showSelfReferral(w, r, http.StatusOK, newForm(nil, nil))
}

func (s *Server) showSelfReferral(w http.ResponseWriter, r *http.Request, status int, f form) {
	all, err := s.Referrals.Services(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := selfReferralPage{Token: s.selfReferral.token(),
		GPSharing: []option{{"full", "Yes, they can tell my GP what we talk about"},
			{"codes_only", "Only tell my GP that I am getting support, not what we talk about"}, {"none", "Do not tell my GP"}}}
	for _, svc := range all {
		if svc.AcceptsSelfReferral {
			p.Services = append(p.Services, svc)
		}
	}
	for _, n := range referral.Needs {
		p.Needs = append(p.Needs, option{string(n), n.Label()})
	}
	for _, m := range person.ContactMethods {
		p.Contact = append(p.Contact, option{string(m), m.Label()})
	}
	if len(p.Services) == 1 && f.Values.Get("service") == "" {
		f.Values["service"] = []string{itoa(p.Services[0].ID)}
	}
	v := s.newView(r, "Ask for support from a social prescriber", p)
	v.Form = f
	s.render(w, r, status, "self_referral", v)
}

func (s *Server) handleSelfReferral(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	f := r.PostForm
	if err := s.selfReferral.checkToken(f.Get("token")); err != nil {
		s.showSelfReferral(w, r, http.StatusBadRequest, newForm(f, err))
		return
	}
	if f.Get(honeypot) != "" {
		s.Log.Info("self-referral dropped", "why", "honeypot")
		http.Redirect(w, r, "/self-referral/sent", http.StatusSeeOther)
		return
	}
	in, err := readSelfReferral(f)
	var svc referral.ReceivingService
	if err == nil {
		svc, err = s.Referrals.ReceivingService(r.Context(), in.ServiceID)
		if apperr.Is(err, apperr.NotFound) || err == nil && !svc.AcceptsSelfReferral {
			err = apperr.Fields{{Field: "service", Message: "Select a service from the list"}}.Err()
		}
	}
	if err != nil && !apperr.Is(err, apperr.Invalid) {
		s.fail(w, r, err)
		return
	}
	if err != nil {
		s.showSelfReferral(w, r, http.StatusBadRequest, newForm(f, orderFields(err, selfReferralFieldOrder, "date_of_birth", "dob")))
		return
	}
	if !s.selfReferral.allow(clientAddress(r)) {
		s.Log.Warn("self-referral refused", "why", "rate limit")
		s.showSelfReferral(w, r, http.StatusTooManyRequests, newForm(f, errTooMany))
		return
	}
	created, err := s.Referrals.Submit(r.Context(), actor(r), referral.Referrer{}, in)
	var dup *referral.DuplicatesFound
	if errors.As(err, &dup) {
		// Someone with the same details is known. A member of the public must not learn that,
		// nor be joined to a record on details they typed: the request lands as a new person,
		// and the referral page shows the triager that the record may be a duplicate.
		in.NotADuplicate = true
		created, err = s.Referrals.Submit(r.Context(), actor(r), referral.Referrer{}, in)
	}
	switch {
	case apperr.Is(err, apperr.Invalid):
		s.showSelfReferral(w, r, http.StatusBadRequest, newForm(f, orderFields(err, selfReferralFieldOrder, "date_of_birth", "dob")))
	case err != nil:
		s.fail(w, r, err)
	default:
		q := url.Values{"ref": {itoa(created.ID)}, "days": {strconv.Itoa(svc.ResponseDays)}}
		http.Redirect(w, r, "/self-referral/sent?"+q.Encode(), http.StatusSeeOther)
	}
}

// readSelfReferral reads the public form into a referral from the person themselves. The
// service must be one that takes self-referrals; a phone number or an email address is needed
// so that someone can get back to them.
func readSelfReferral(f url.Values) (referral.Input, error) {
	in := referral.Input{Source: referral.SourceSelf, Needs: f["needs"], Details: f.Get("details"),
		Urgency: referral.UrgencyRoutine, ConsentGiven: f.Get("consent") == "yes", GPSharing: f.Get("gp_sharing"),
		CriteriaMet: referral.CriteriaUnsure,
		Person: person.Input{NHSNumber: f.Get("nhs_number"), NHSNumberOptional: true,
			GivenName: f.Get("given_name"), FamilyName: f.Get("family_name"),
			DateOfBirth: person.DateParts{Day: f.Get("dob-day"), Month: f.Get("dob-month"), Year: f.Get("dob-year")},
			Postcode:    f.Get("postcode"), Phone: f.Get("phone"), Email: f.Get("email")}}
	for _, m := range f["contact_methods"] {
		in.Person.ContactMethods = append(in.Person.ContactMethods, person.ContactMethod(m))
	}
	var errs apperr.Fields
	var ok bool
	if in.ServiceID, ok = formID(f.Get("service")); !ok || in.ServiceID == 0 {
		errs.Add("service", "Select where you live, so we send your request to the right service")
	}
	if strings.TrimSpace(in.Person.Phone) == "" && strings.TrimSpace(in.Person.Email) == "" {
		errs.Add("phone", "Enter a phone number or an email address, so that we can contact you")
	}
	if !in.ConsentGiven {
		errs.Add("consent", "Confirm you are happy for us to contact you about your request")
	}
	if in.GPSharing == "" {
		errs.Add("gp_sharing", "Select what we can tell your GP")
	}
	if len(in.Needs) == 0 {
		errs.Add("needs", "Select at least one thing you would like help with")
	}
	if _, err := in.Person.Validate(time.Now()); err != nil {
		if ae, ok := apperr.As(err); ok {
			for _, fe := range ae.Fields {
				errs.Add(fe.Field, inYourWords(fe.Message))
			}
		}
	}
	return in, errs.Err()
}

// inYourWords turns the person's details' messages, written for someone referring another
// person, into ones addressed to the person themselves.
func inYourWords(msg string) string {
	msg = strings.ReplaceAll(msg, "Enter their ", "Enter your ")
	return strings.ReplaceAll(msg, "Select their ", "Select your ")
}

// handleSelfReferralSent thanks the person and tells them what happens next.
func (s *Server) handleSelfReferralSent(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ref, _ := formID(q.Get("ref"))
	days, _ := strconv.Atoi(q.Get("days"))
	s.render(w, r, http.StatusOK, "self_referral_sent", s.newView(r, "Request sent", struct {
		Ref  int64
		Days int
	}{ref, days}))
}
