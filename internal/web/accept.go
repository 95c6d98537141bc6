package web

import (
	"net/http"
	"strconv"

	"github.com/linkwell/linkwell/internal/casework"
)

// acceptReferral accepts a triaged referral and opens its case with the signed-in worker as
// lead, in one transaction; the message back to the GP and referrer goes with it.
func (s *Server) acceptReferral(w http.ResponseWriter, r *http.Request, a referralAccess) {
	k, err := s.Cases.Open(r.Context(), actor(r), a.ref.ID, casework.OpenInput{
		ReferralVersion: formVersion(r.PostForm),
		Lead:            state(r).user,
		Engagement:      casework.Engagement(r.PostForm.Get("engagement")),
	})
	if err != nil {
		s.showReferralProblem(w, r, a, err)
		return
	}
	redirectSaved(w, r, "/cases/"+strconv.FormatInt(k.ID, 10), "opened")
}
