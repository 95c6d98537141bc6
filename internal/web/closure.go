package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/outcomes"
	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/store"
)

// This file holds the end of a case: closing it with a reason and an outcome summary, and the
// message that goes back to the GP and referrer, viewable and printable (DESIGN §3.2).

func (s *Server) closureRoutes() {
	s.mux.HandleFunc("GET /cases/{id}/close", s.handleCloseForm)
	s.mux.HandleFunc("POST /cases/{id}/close", s.handleClose)
	s.mux.HandleFunc("GET /referrals/{id}/messages/{msg}", s.handleMessage)
}

// closePage is the form that closes a case.
type closePage struct {
	Head    personHead
	Case    casework.Case
	Closed  string
	Reasons []option
	Owed    []string // measures with a baseline and no follow-up yet
	Missing []option
}

var errNotYourCase = apperr.New(apperr.Forbidden,
	"Only occupational therapists, link workers, supervisors and service leads on the care team, or in the team that holds the case, can close it")

// caseToClose is caseFor for those who may close the case: whoever may change its care team.
func (s *Server) caseToClose(w http.ResponseWriter, r *http.Request) (casework.Case, casework.Relationship, bool) {
	k, rel, ok := s.caseFor(w, r)
	if ok && !s.mayManageTeam(r, rel) {
		s.fail(w, r, errNotYourCase)
		return k, rel, false
	}
	return k, rel, ok
}

func closureReasons() []option {
	out := make([]option, len(casework.ClosureReasons))
	for i, c := range casework.ClosureReasons {
		out[i] = option{Value: string(c), Label: c.Label()}
	}
	return out
}

func (s *Server) handleCloseForm(w http.ResponseWriter, r *http.Request) {
	k, rel, ok := s.caseToClose(w, r)
	if ok {
		s.showClose(w, r, http.StatusOK, k, rel, newForm(values{"version": {itoa(k.Version)}}, nil))
	}
}

func (s *Server) handleClose(w http.ResponseWriter, r *http.Request) {
	k, rel, ok := s.caseToClose(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	f := r.PostForm
	err := s.closeCase(r, k, f)
	switch {
	case err == nil:
		redirectSaved(w, r, casePath(k.ID), "closed")
	case onForm(err):
		fresh, ferr := s.Cases.Get(r.Context(), k.ID)
		if ferr != nil {
			s.fail(w, r, ferr)
			return
		}
		s.showClose(w, r, statusOf(err), fresh, rel, newForm(keepTyped(f, fresh.Version), err))
	default:
		s.fail(w, r, err)
	}
}

func (s *Server) showClose(w http.ResponseWriter, r *http.Request, status int, k casework.Case, rel casework.Relationship, f form) {
	head, err := s.viewPerson(r, k.PersonID, string(rel), "Close the case")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := closePage{Head: head, Case: k, Reasons: closureReasons(), Missing: labelledOptions(outcomes.MissingReasons)}
	if k.ClosedAt != nil {
		page.Closed = dayOf(*k.ClosedAt)
	} else if page.Owed, err = s.Outcomes.FollowUpOwed(r.Context(), k.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "Close "+head.Banner.Name+"'s case", page)
	v.Form = f
	s.render(w, r, status, "close_case", v)
}

// closeCase closes a case; when it has a baseline measure but no follow-up, the form must say
// why, and that is recorded in the closing transaction. Every problem is listed at once.
func (s *Server) closeCase(r *http.Request, k casework.Case, f url.Values) error {
	ctx := r.Context()
	reason, summary := casework.ClosureReason(f.Get("closure_reason")), f.Get("closure_summary")
	missing := outcomes.Missing{Reason: outcomes.MissingReason(f.Get("followup_missing")), Note: f.Get("followup_note")}
	owed, err := s.Outcomes.FollowUpOwed(ctx, k.ID)
	if err != nil {
		return err
	}
	if errs := append(casework.ValidateClosure(reason, summary), outcomes.CheckMissing(owed, missing)...); len(errs) > 0 {
		return errs.Err()
	}
	return s.Cases.CloseWith(ctx, actor(r), k.ID, formVersion(f), reason, summary, func(c store.Conn) error {
		return s.Outcomes.AtClosureIn(ctx, c, actor(r), state(r).user.ID, k.ID, missing)
	})
}

// messagePage is one message back to the GP and referrer, in words anyone can check.
type messagePage struct {
	Head      personHead
	Referral  referral.Referral
	Message   referral.Message
	Kind      string
	Sent      string
	Recipient string
	Sharing   string
	Lines     []string
}

var sharingWords = map[string]string{
	"full":       "Full summary: the person agreed that a summary of their support is shared with their GP",
	"codes_only": "Codes only: the person asked that only coded information is shared with their GP",
	"none":       "Nothing shared with the GP: the person has not agreed to share information with their GP, so only the referrer is told",
}

// handleMessage shows a message back about a referral to those who may see the referral: its
// referrer, its service's team and the person's care team. "latest" names the newest.
func (s *Server) handleMessage(w http.ResponseWriter, r *http.Request) {
	a, ok := s.referralFor(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	msgs, err := s.Referrals.Messages(ctx, a.ref.ID)
	if err != nil {
		s.fail(w, r, apperr.Wrap("messages", err))
		return
	}
	m, found := pickMessage(msgs, r.PathValue("msg"))
	if !found {
		s.fail(w, r, errNoPage)
		return
	}
	basis := "referrer"
	if a.full {
		basis = "referral"
	}
	head, err := s.viewPerson(r, a.ref.PersonID, basis, "Message back")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !a.full {
		head = personHead{Caption: head.Caption, Banner: banner{ID: head.Banner.ID, Name: head.Banner.Name}}
	}
	page := messagePage{Head: head, Referral: a.ref, Message: m, Kind: messageKindLabels[m.Kind], Sent: dayOf(m.CreatedAt),
		Recipient: "The person's GP, and the referrer", Sharing: sharingWords[m.Sharing],
		Lines: strings.Split(strings.TrimSpace(m.Body), "\n")}
	if m.Recipient == "referrer" {
		page.Recipient = "The referrer only"
	}
	if a.ref.ReferrerName != "" {
		page.Recipient += " (" + a.ref.ReferrerName + ")"
	}
	s.render(w, r, http.StatusOK, "message", s.newView(r, page.Kind+": message about "+head.Banner.Name, page))
}

// pickMessage finds the message with the id in a path, or the newest for "latest".
func pickMessage(msgs []referral.Message, ref string) (referral.Message, bool) {
	if ref == "latest" && len(msgs) > 0 {
		return msgs[len(msgs)-1], true
	}
	id, ok := formID(ref)
	for _, m := range msgs {
		if ok && m.ID == id {
			return m, true
		}
	}
	return referral.Message{}, false
}
