package web

import (
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/linkwell/linkwell/internal/access"
	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
)

// This file holds what the administration pages share: asking the policy, reading ids from
// paths and forms, and the choices that selects and checkboxes offer.

// option is one choice in a select or a group of checkboxes.
type option struct {
	Value string
	Label string
}

// allowed asks the policy whether the signed-in user may do act on res, answering the refusal
// itself when not.
func (s *Server) allowed(w http.ResponseWriter, r *http.Request, act access.Action, res access.Resource) bool {
	if err := s.Policy.Decide(r.Context(), state(r).user, act, res); err != nil {
		s.fail(w, r, err)
		return false
	}
	return true
}

// listScope is the organisation a listing is limited to: none for administrators, and their
// own for service leads, the only other users the policy lets see these lists.
func listScope(u account.User) int64 {
	if u.Has(account.Administrator) {
		return 0
	}
	return u.OrganisationID
}

var errNoPage = apperr.New(apperr.NotFound, "Page not found")

// pathID reads the record id in a path; anything but a positive number names no record.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errNoPage
	}
	return id, nil
}

// formID reads an optional id from a select: empty is zero, and ok is false for anything
// that is not an id.
func formID(v string) (id int64, ok bool) {
	if v == "" {
		return 0, true
	}
	id, err := strconv.ParseInt(v, 10, 64)
	return id, err == nil && id > 0
}

// formIDs reads the ids a group of checkboxes sent.
func formIDs(vs []string) ([]int64, bool) {
	out := make([]int64, 0, len(vs))
	for _, v := range vs {
		id, ok := formID(v)
		if !ok || id == 0 {
			return nil, false
		}
		out = append(out, id)
	}
	return out, true
}

// formVersion reads the hidden version field. A missing or altered one reads as zero, which
// no record has, so saving reports a conflict rather than overwriting blindly.
func formVersion(vs url.Values) int64 {
	v, _ := strconv.ParseInt(vs.Get("version"), 10, 64)
	return v
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

func idStrings(ids []int64) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = itoa(id)
	}
	return out
}

// onForm reports whether err is about what was typed, so that the form is shown again with
// it, rather than an error page.
func onForm(err error) bool {
	k := apperr.KindOf(err)
	return k == apperr.Invalid || k == apperr.Conflict
}

// keepTyped copies what was submitted so that a form shown again after a conflict can carry
// the record's current version along with the user's input.
func keepTyped(vs url.Values, currentVersion int64) values {
	out := values(vs)
	if currentVersion != 0 {
		out = values(maps.Clone(vs))
		out["version"] = []string{itoa(currentVersion)}
	}
	return out
}

// pageStatus is 200 for a page without problems, or the status that err maps to.
func pageStatus(err error) int {
	if err == nil {
		return http.StatusOK
	}
	return statusOf(err)
}

// savedNotice is the confirmation shown on a record's page after a change redirected there
// with ?saved=kind.
func savedNotice(r *http.Request, notices map[string]string) string {
	return notices[r.URL.Query().Get("saved")]
}

// redirectSaved sends the browser to a record's page after a change, with its confirmation.
func redirectSaved(w http.ResponseWriter, r *http.Request, path, kind string) {
	http.Redirect(w, r, path+"?saved="+kind, http.StatusSeeOther)
}

// today is the date in England, where a data-sharing agreement's dates are read.
func today() string { return time.Now().In(london).Format("2006-01-02") }
