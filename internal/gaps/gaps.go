// Package gaps compares the needs recorded on referrals in each area with the community
// services in the directory there, so that a service lead can see where provision is missing
// (DESIGN F11). People are placed by their postcode and services by their addresses' postcodes:
// in a neighbourhood (LSOA) or integrated care board through the ONS Postcode Directory, and
// in a postcode district by the postcode itself. The report holds counts only, never a person.
package gaps

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/postcode"
	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/store"
)

// Level is the kind of area the report groups by.
type Level string

const (
	District Level = "district" // postcode district: the outward code, such as AB10
	LSOA     Level = "lsoa"     // 2021 lower layer super output area
	ICB      Level = "icb"      // integrated care board
)

// Levels lists the levels in the order offered.
var Levels = []Level{District, LSOA, ICB}

var levelLabels = map[Level]string{District: "Postcode district", LSOA: "Neighbourhood (LSOA)", ICB: "Integrated care board"}

// levelColumns are the postcode directory's columns for each level.
var levelColumns = map[Level]string{District: "pc.outward", LSOA: "pc.lsoa21", ICB: "pc.icb"}

// unlisted marks an area that is a postcode missing from the postcode directory.
const unlisted = "postcode:"

// areaOf is the SQL for the area of a row whose postcode, as written, is postcode and whose
// postcode directory row, if any, is aliased pc. A postcode district can be read from a
// postcode the directory lacks (see placeUnlisted); the other levels cannot.
func areaOf(l Level, postcode string) string {
	if l == District {
		return `COALESCE(pc.outward, '` + unlisted + `' || ` + postcode + `)`
	}
	return levelColumns[l]
}

// placeUnlisted turns the area areaOf gave into the area shown: the postcode district of a
// postcode missing from the postcode directory, or "" when it is no postcode at all.
func placeUnlisted(area string) string {
	raw, ok := strings.CutPrefix(area, unlisted)
	if !ok {
		return area
	}
	pc, err := postcode.Normalise(raw)
	if err != nil {
		return ""
	}
	outward, _, _ := strings.Cut(pc, " ")
	return outward
}

// Label is the level's name for people.
func (l Level) Label() string { return levelLabels[l] }

// Plural is the level's name for several areas, in lower case, for sentences.
func (l Level) Plural() string {
	switch l {
	case LSOA:
		return "neighbourhoods (LSOAs)"
	case ICB:
		return "integrated care boards"
	}
	return "postcode districts"
}

// Valid reports whether l is a known level.
func (l Level) Valid() bool { _, ok := levelColumns[l]; return ok }

// categoriesFor are the directory categories (taxonomy term names, in lower case) whose
// services meet each need. A service counts for a need when it is classified with any of them.
// Needs missing here, such as "other", are not compared.
var categoriesFor = map[referral.Need][]string{
	referral.NeedLoneliness:        {"befriending", "peer support", "arts and creativity", "faith and culture"},
	referral.NeedLowMood:           {"peer support", "arts and creativity", "nature and green spaces", "physical activity"},
	referral.NeedLongTermCondition: {"peer support", "physical activity"},
	referral.NeedPhysicalActivity:  {"physical activity", "nature and green spaces"},
	referral.NeedWeight:            {"physical activity"},
	referral.NeedHousing:           {"housing"},
	referral.NeedMoneyDebt:         {"money and debt advice"},
	referral.NeedBenefits:          {"benefits", "money and debt advice"},
	referral.NeedEmployment:        {"employment and volunteering", "learning", "digital skills"},
	referral.NeedCarerSupport:      {"carers' support"},
	referral.NeedBereavement:       {"bereavement"},
	referral.NeedSubstanceUse:      {"peer support"},
	referral.NeedFrailtyFalls:      {"physical activity", "befriending"},
}

// Matching is which directory categories count for a need, for the report to show.
type Matching struct {
	Need       referral.Need
	Categories []string
}

// Matchings lists, in the order needs are shown, the categories that meet each need.
func Matchings() []Matching {
	var out []Matching
	for _, n := range referral.Needs {
		if cats := categoriesFor[n]; len(cats) > 0 {
			out = append(out, Matching{Need: n, Categories: cats})
		}
	}
	return out
}

// Filter is what a report covers: referrals made from From up to but not including To, placed
// in areas of Level. OrganisationID, when set, keeps to referrals to that organisation's
// services.
type Filter struct {
	From, To       time.Time
	Level          Level
	OrganisationID int64
}

// MaxSpan is the longest time one report covers.
const MaxSpan = 5 * 366 * 24 * time.Hour

// Validate explains what is wrong with a filter, by field.
func (f Filter) Validate() error {
	var errs apperr.Fields
	if !f.Level.Valid() {
		errs.Add("level", "Select a kind of area from the list")
	}
	switch {
	case !f.To.After(f.From):
		errs.Add("to", "The end date must be the same as or after the start date")
	case f.To.Sub(f.From) > MaxSpan:
		errs.Add("to", "A report can cover at most 5 years")
	}
	return errs.Err()
}

// Row is one need in one area: how many referrals recorded it, and how many services there
// meet it.
type Row struct {
	Area      string
	Need      referral.Need
	Referrals int
	Services  int
}

// Gap reports whether people in the area were referred for the need and no service there
// meets it.
func (r Row) Gap() bool { return r.Referrals > 0 && r.Services == 0 }

// Report is the gaps in provision for a filter.
type Report struct {
	Filter
	Rows       []Row // the biggest gaps first: no service, then most referrals for each service
	Referrals  int   // referrals in the period, each once
	Unplaced   int   // of which, those whose person's postcode is not in the postcode directory
	Uncompared int   // of which, placed ones whose needs have no matching categories (such as "other")
	Areas      int   // areas with referrals
	Gaps       int   // rows that are gaps
	GapAreas   int   // areas with at least one gap
}

// Service makes gaps reports.
type Service struct {
	db *store.DB
}

// NewService returns a Service over db.
func NewService(db *store.DB) *Service { return &Service{db: db} }

// Report counts, for each area and need, the referrals in the filter and the services there
// that meet the need, and audits that actor saw it, in the format named (html, csv).
func (s *Service) Report(ctx context.Context, actor audit.Actor, f Filter, format string) (Report, error) {
	if err := f.Validate(); err != nil {
		return Report{}, err
	}
	rep := Report{Filter: f}
	err := s.db.ReadTx(ctx, func(c store.Conn) error {
		needs, err := referralNeeds(ctx, c, f, &rep)
		if err != nil {
			return err
		}
		services, err := servicesMeeting(ctx, c, f.Level)
		if err != nil {
			return err
		}
		for k, n := range needs {
			rep.Rows = append(rep.Rows, Row{Area: k.area, Need: k.need, Referrals: n, Services: services[k]})
		}
		return nil
	})
	if err != nil {
		return Report{}, apperr.Wrap("gaps report", err)
	}
	rep.finish()
	err = s.db.Tx(ctx, func(c store.Conn) error {
		return audit.Record(ctx, c, actor, audit.Event{Action: "report.gaps.view", RecordType: "report", RecordID: "gaps",
			Detail: fmt.Sprintf("level=%s from=%s to=%s organisation=%d format=%s", f.Level, f.From.Format(time.DateOnly),
				f.To.Format(time.DateOnly), f.OrganisationID, format)})
	})
	return rep, apperr.Wrap("gaps report", err)
}

// finish sorts the rows, biggest gap first, and counts areas and gaps.
func (r *Report) finish() {
	slices.SortFunc(r.Rows, func(a, b Row) int {
		return cmp.Or(-compareBool(a.Gap(), b.Gap()), cmp.Compare(b.Referrals*max(a.Services, 1), a.Referrals*max(b.Services, 1)),
			cmp.Compare(b.Referrals, a.Referrals), cmp.Compare(a.Area, b.Area), cmp.Compare(a.Need, b.Need))
	})
	areas, gapAreas := map[string]bool{}, map[string]bool{}
	for _, row := range r.Rows {
		areas[row.Area] = true
		if row.Gap() {
			r.Gaps++
			gapAreas[row.Area] = true
		}
	}
	r.Areas, r.GapAreas = len(areas), len(gapAreas)
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

type areaNeed struct {
	area string
	need referral.Need
}

// referralNeeds counts, for each area and compared need, the referrals in the filter that
// recorded it, and fills in the report's totals. The database groups the referrals by area
// and their list of needs, which is short; the lists are split here.
func referralNeeds(ctx context.Context, c store.Conn, f Filter, rep *Report) (map[areaNeed]int, error) {
	area := areaOf(f.Level, "p.postcode")
	q := `SELECT ` + area + `, r.needs, COUNT(*) FROM referrals r JOIN people p ON p.id = r.person_id
		LEFT JOIN postcodes pc ON pc.postcode = p.postcode
		WHERE r.created_at >= ? AND r.created_at < ? AND r.status NOT IN (?, ?)`
	args := []any{f.From.UTC(), f.To.UTC(), string(referral.StatusDraft), string(referral.StatusEnteredInError)}
	if f.OrganisationID != 0 {
		q += ` AND r.service_id IN (SELECT id FROM services WHERE organisation_id = ?)`
		args = append(args, f.OrganisationID)
	}
	rows, err := c.Query(ctx, q+` GROUP BY `+area+`, r.needs`, args...)
	if err != nil {
		return nil, fmt.Errorf("count referrals by area: %w", err)
	}
	defer rows.Close()
	out := map[areaNeed]int{}
	for rows.Next() {
		var area *string
		var needs string
		var n int
		if err := rows.Scan(&area, &needs, &n); err != nil {
			return nil, fmt.Errorf("count referrals by area: %w", err)
		}
		rep.Referrals += n
		if area == nil || placeUnlisted(*area) == "" {
			rep.Unplaced += n
			continue
		}
		compared := false
		for _, need := range referral.ParseNeedsList(needs) {
			if len(categoriesFor[need]) > 0 {
				out[areaNeed{placeUnlisted(*area), need}] += n
				compared = true
			}
		}
		if !compared {
			rep.Uncompared += n
		}
	}
	return out, rows.Err()
}

// servicesMeeting counts, for each area and need, the active directory services with an
// address there in a category that meets the need, each service once however many of its
// categories and addresses match.
func servicesMeeting(ctx context.Context, c store.Conn, level Level) (map[areaNeed]int, error) {
	// The address's postcode is upper-cased and trimmed to find it in the postcode directory,
	// which is keyed by the normalised postcode; that still reads the directory by its key.
	area := areaOf(level, "upper(trim(ad.postal_code))")
	matching, args := matchingTable()
	rows, err := c.Query(ctx, `SELECT DISTINCT `+area+`, m.need, s.pk FROM `+matching+` m
		JOIN dir_taxonomy_terms t ON lower(t.name) = m.category
		JOIN dir_attributes a ON a.taxonomy_term_id = t.id
		JOIN dir_services s ON s.pk = a.service_pk
		JOIN dir_service_at_locations sal ON sal.service_pk = s.pk
		JOIN dir_addresses ad ON ad.location_pk = sal.location_pk
		LEFT JOIN postcodes pc ON pc.postcode = upper(trim(ad.postal_code))
		WHERE s.status = ?`, append(args, "active")...)
	if err != nil {
		return nil, fmt.Errorf("count services by area: %w", err)
	}
	defer rows.Close()
	type areaNeedService struct {
		areaNeed
		pk int64
	}
	seen := map[areaNeedService]bool{}
	out := map[areaNeed]int{}
	for rows.Next() {
		var area *string
		var k areaNeedService
		if err := rows.Scan(&area, &k.need, &k.pk); err != nil {
			return nil, fmt.Errorf("count services by area: %w", err)
		}
		if area == nil {
			continue
		}
		// Two unlisted postcodes can be one district, so a service is counted once here.
		if k.area = placeUnlisted(*area); k.area != "" && !seen[k] {
			seen[k] = true
			out[k.areaNeed]++
		}
	}
	return out, rows.Err()
}

// matchingTable is categoriesFor as a table (need, category) for a query to join, and its
// arguments.
func matchingTable() (string, []any) {
	var parts []string
	var args []any
	for _, m := range Matchings() {
		for _, cat := range m.Categories {
			parts = append(parts, `SELECT CAST(? AS TEXT) AS need, CAST(? AS TEXT) AS category`)
			args = append(args, string(m.Need), cat)
		}
	}
	return `(` + strings.Join(parts, ` UNION ALL `) + `)`, args
}
