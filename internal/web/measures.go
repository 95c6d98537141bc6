package web

import (
	"io"
	"net/http"

	"github.com/linkwell/linkwell/internal/access"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/outcomes"
	"github.com/linkwell/linkwell/internal/referral"
)

// The measures a service uses: service leads switch instruments on and off, record the
// licence an instrument needs before switching it on, and add their own from a file
// (docs/instruments.md describes the format).

func (s *Server) measureSettingRoutes() {
	m := s.mux
	m.HandleFunc("GET /services/{id}/measures", s.handleMeasures)
	m.HandleFunc("POST /services/{id}/measures/upload", s.handleMeasureUpload)
	m.HandleFunc("POST /services/{id}/measures/{code}", s.handleMeasureUse)
}

var measureNotices = map[string]string{"use": "The service's measures are updated", "loaded": "Your measure is loaded: switch it on below to use it"}

type measuresPage struct {
	Service  referral.ReceivingService
	Measures []measureRow
	YesNo    []option
}

type measureRow struct {
	outcomes.ServiceInstrument
	Prefix string
	Items  int
}

// serviceToConfigure finds the service in the path and checks the user leads it.
func (s *Server) serviceToConfigure(w http.ResponseWriter, r *http.Request) (referral.ReceivingService, bool) {
	if !s.allowed(w, r, access.ManageServices, access.Resource{}) {
		return referral.ReceivingService{}, false
	}
	id, err := pathID(r)
	var svc referral.ReceivingService
	if err == nil {
		svc, err = s.Referrals.ReceivingService(r.Context(), id)
	}
	if err != nil {
		s.fail(w, r, err)
		return svc, false
	}
	return svc, s.allowed(w, r, access.ManageServices, access.Resource{OrganisationIDs: []int64{svc.OrganisationID}})
}

func (s *Server) handleMeasures(w http.ResponseWriter, r *http.Request) {
	if svc, ok := s.serviceToConfigure(w, r); ok {
		s.showMeasures(w, r, http.StatusOK, svc, newForm(nil, nil))
	}
}

func (s *Server) showMeasures(w http.ResponseWriter, r *http.Request, status int, svc referral.ReceivingService, f form) {
	uses, err := s.Outcomes.ServiceInstruments(r.Context(), svc.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := measuresPage{Service: svc, YesNo: []option{{Value: "yes", Label: "Yes"}, {Value: "no", Label: "No"}}}
	for _, u := range uses {
		pre := u.Instrument.Code + "-"
		p.Measures = append(p.Measures, measureRow{ServiceInstrument: u, Prefix: pre, Items: len(u.Instrument.Items)})
		// Each measure's form starts from what is saved, unless it is the one being corrected.
		if _, typed := f.Values[pre+"enabled"]; !typed {
			f.Values[pre+"enabled"] = []string{map[bool]string{true: "yes", false: "no"}[u.Enabled]}
			f.Values[pre+"licence_note"] = []string{u.LicenceNote}
		}
	}
	v := s.newView(r, "Wellbeing measures: "+svc.Name, p)
	v.Form = f
	if status == http.StatusOK {
		v.Notice = savedNotice(r, measureNotices)
	}
	s.render(w, r, status, "service_measures", v)
}

func (s *Server) handleMeasureUse(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.serviceToConfigure(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	code := r.PathValue("code")
	f := r.PostForm
	on := f.Get(code+"-enabled") == "yes"
	err := s.Outcomes.SetUse(r.Context(), actor(r), state(r).user.ID, svc.ID, code, on, f.Get(code+"-licence_note"))
	switch {
	case err == nil:
		redirectSaved(w, r, servicePath(svc.ID)+"/measures", "use")
	case onForm(err):
		s.showMeasures(w, r, statusOf(err), svc, newForm(f, prefixed(err, code+"-")))
	default:
		s.fail(w, r, err)
	}
}

// maxInstrumentFile is the largest instrument file accepted: far more than fifty items need.
const maxInstrumentFile = 256 << 10

func (s *Server) handleMeasureUpload(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.serviceToConfigure(w, r)
	if !ok {
		return
	}
	file, err := readUpload(r, "file", maxInstrumentFile)
	if err == nil {
		_, err = s.Outcomes.LoadInstrument(r.Context(), actor(r), state(r).user.ID, svc.OrganisationID, file)
	}
	switch {
	case err == nil:
		redirectSaved(w, r, servicePath(svc.ID)+"/measures", "loaded")
	case onForm(err):
		s.showMeasures(w, r, statusOf(err), svc, newForm(nil, err))
	default:
		s.fail(w, r, err)
	}
}

// readUpload reads one uploaded file of at most limit bytes, or says what is wrong with it
// against the field.
func readUpload(r *http.Request, field string, limit int64) ([]byte, error) {
	problem := func(msg string) error { return apperr.Fields{{Field: field, Message: msg}}.Err() }
	if err := r.ParseMultipartForm(limit); err != nil {
		return nil, problem("Select a file of at most 256 KB")
	}
	f, _, err := r.FormFile(field)
	if err != nil {
		return nil, problem("Select a file")
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil || int64(len(b)) > limit {
		return nil, problem("Select a file of at most 256 KB")
	}
	if len(b) == 0 {
		return nil, problem("The selected file is empty")
	}
	return b, nil
}
