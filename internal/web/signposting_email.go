package web

import (
	"net/http"
	"net/url"

	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/person"
)

// Emailing a person their signposting list, from the printable list: to the address on their
// record when they agreed to email, or to one they give the worker.

func (s *Server) signpostEmailRoutes() {
	s.mux.HandleFunc("GET /people/{id}/signposting/email", s.handleSignpostingEmailForm)
	s.mux.HandleFunc("POST /people/{id}/signposting/email", s.handleSignpostingEmail)
}

type signpostEmailPage struct {
	PersonID    int64
	List        casework.SignpostList
	Recorded    string // the address on their record they agreed to email, if any
	Signposts   []string
	Choices     []option
	PrintableAt string
	person      person.Person
}

func (s *Server) handleSignpostingEmailForm(w http.ResponseWriter, r *http.Request) {
	if page, ok := s.signpostEmailPage(w, r, r.URL.Query()); ok {
		v := s.newView(r, page.List.PersonName+": email the list of services", page)
		if r.URL.Query().Get("saved") == "emailed" {
			v.Notice = "The list has been emailed to " + page.List.PersonName + "."
		}
		s.render(w, r, http.StatusOK, "signposting_email", v)
	}
}

func (s *Server) handleSignpostingEmail(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	f := r.PostForm
	page, ok := s.signpostEmailPage(w, r, f)
	if !ok {
		return
	}
	ids, _ := formIDs(f["signpost"])
	err := s.Cases.EmailSignposting(r.Context(), actor(r), s.Mailer, page.person, casework.SignpostEmail{To: f.Get("to"),
		Address: f.Get("email")}, ids...)
	switch {
	case err == nil:
		q := url.Values{"signpost": f["signpost"], "saved": {"emailed"}}
		http.Redirect(w, r, personPath(page.PersonID)+"/signposting/email?"+q.Encode(), http.StatusSeeOther)
	case onForm(err):
		v := s.newView(r, page.List.PersonName+": email the list of services", page)
		v.Form = newForm(f, err)
		s.render(w, r, statusOf(err), "signposting_email", v)
	default:
		s.fail(w, r, err)
	}
}

// signpostEmailPage reads the person and the list named in q, if the user may record
// signposting for them, answering the refusal itself when not.
func (s *Server) signpostEmailPage(w http.ResponseWriter, r *http.Request, q url.Values) (signpostEmailPage, bool) {
	id, rel, ok := s.signpostPerson(w, r)
	if !ok {
		return signpostEmailPage{}, false
	}
	ids, idsOK := formIDs(q["signpost"])
	var err error
	switch {
	case !idsOK:
		err = errNoPage
	case !s.mayRecord(r, rel):
		err = errNotRecording
	}
	page := signpostEmailPage{PersonID: id, Signposts: q["signpost"]}
	if err == nil {
		page.person, err = s.People.View(r.Context(), actor(r), id, string(rel))
	}
	if err == nil {
		page.List, err = s.Cases.SignpostingList(r.Context(), id, ids...)
	}
	if err != nil {
		s.fail(w, r, err)
		return signpostEmailPage{}, false
	}
	page.Recorded = casework.RecordedEmail(page.person)
	page.Choices = []option{{casework.ToTypedAddress, "An email address they give you"}}
	if page.Recorded != "" {
		page.Choices = append([]option{{casework.ToRecordedAddress, "Their email address on record: " + page.Recorded}}, page.Choices...)
	}
	page.PrintableAt = personPath(id) + "/signposting/print?" + url.Values{"signpost": q["signpost"]}.Encode()
	return page, true
}
