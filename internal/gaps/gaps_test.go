package gaps

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/directory"
	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// world is a small area with referrals and directory services:
//
//	AB10 1AA (district AB10, LSOA L01, ICB I1): 6 referrals for money and debt, 1 for "other";
//	  two money services (one also in benefits), the address written "ab10 1aa ".
//	AB10 2BB (AB10, L02, I1): 2 referrals for physical activity; a befriending service that has
//	  closed (inactive).
//	AB11 1AA (AB11, L03, I1): 3 referrals for money and debt and loneliness, 2 more for money
//	  to another organisation's service; a walking group (physical activity).
//	ZZ1 1ZZ and ZZ1 1ZY, not in the postcode directory: 1 referral for housing and a housing
//	  service, placed in district ZZ1 by their postcodes alone, and in no LSOA or ICB.
//
// Left out: a referral entered in error, and one made before the period.
type world struct {
	db          *store.DB
	orgA, orgB  int64
	from, to    time.Time
	svcA, svcB  int64
	peopleCount int
}

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	w := &world{db: db, from: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), to: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)}
	ctx := t.Context()
	now := store.Now()
	err := db.Tx(ctx, func(c store.Conn) error {
		for _, pc := range [][]string{{"AB10 1AA", "AB10", "L01", "I1"}, {"AB10 2BB", "AB10", "L02", "I1"}, {"AB11 1AA", "AB11", "L03", "I1"}} {
			if _, err := c.Exec(ctx, `INSERT INTO postcodes (postcode, outward, latitude, longitude, lsoa21, icb) VALUES (?, ?, 57.1, -2.1, ?, ?)`,
				pc[0], pc[1], pc[2], pc[3]); err != nil {
				return err
			}
		}
		for _, o := range []*int64{&w.orgA, &w.orgB} {
			if err := c.QueryRow(ctx, `INSERT INTO organisations (name, type, created_at, updated_at) VALUES (?, 'pcn', ?, ?) RETURNING id`,
				fmt.Sprintf("PCN %p", o), now, now).Scan(o); err != nil {
				return err
			}
		}
		for _, s := range []struct {
			org *int64
			id  *int64
		}{{&w.orgA, &w.svcA}, {&w.orgB, &w.svcB}} {
			if err := c.QueryRow(ctx, `INSERT INTO services (organisation_id, name, description, inclusion_criteria, exclusion_criteria,
				response_days, created_at, updated_at) VALUES (?, 'Social prescribing', '', '', '', 5, ?, ?) RETURNING id`, *s.org, now, now).Scan(s.id); err != nil {
				return err
			}
		}
		in := w.from.AddDate(0, 2, 0)
		for _, r := range []struct {
			n        int
			postcode string
			needs    string
			service  int64
			status   referral.Status
			at       time.Time
		}{
			{6, "AB10 1AA", "money_debt", w.svcA, referral.StatusAccepted, in},
			{1, "AB10 1AA", "other", w.svcA, referral.StatusRequested, in},
			{2, "AB10 2BB", "physical_activity", w.svcA, referral.StatusRejected, in},
			{3, "AB11 1AA", "loneliness,money_debt", w.svcA, referral.StatusAccepted, in},
			{2, "AB11 1AA", "money_debt", w.svcB, referral.StatusAccepted, in},
			{1, "ZZ1 1ZZ", "housing", w.svcA, referral.StatusAccepted, in},
			{1, "AB11 1AA", "housing", w.svcA, referral.StatusEnteredInError, in},
			{1, "AB11 1AA", "housing", w.svcA, referral.StatusAccepted, w.from.Add(-time.Hour)},
		} {
			for range r.n {
				if err := w.refer(ctx, c, r.postcode, r.needs, r.service, r.status, r.at); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	d := directory.New(db)
	terms := []string{"Money and debt advice", "Benefits", "Befriending", "Physical activity", "Housing"}
	tax := directory.Taxonomy{ID: uuid(1), Name: "Activities", Description: "Activities"}
	for i, name := range terms {
		tax.TaxonomyTerms = append(tax.TaxonomyTerms, directory.TaxonomyTerm{ID: uuid(10 + i), Name: name, Description: name})
	}
	if _, err := d.UpsertTaxonomy(ctx, "test", tax); err != nil {
		t.Fatal(err)
	}
	for i, s := range []struct {
		name, postcode string
		terms          []int
		status         directory.Status
	}{
		{"Debt drop-in", "ab10 1aa ", []int{0}, directory.StatusActive},
		{"Money clinic", "AB10 1AA", []int{0, 1}, directory.StatusActive},
		{"Befriending", "AB10 2BB", []int{2}, directory.StatusInactive},
		{"Walking group", "AB11 1AA", []int{3}, directory.StatusActive},
		{"Housing advice", "zz1 1zy", []int{4}, directory.StatusActive},
	} {
		svc := directoryService(100*(i+1), s.name, s.postcode, s.status)
		for j, term := range s.terms {
			svc.Attributes = append(svc.Attributes, directory.Attribute{ID: uuid(100*(i+1) + 10 + j), TaxonomyTermID: uuid(10 + term)})
		}
		b, _ := json.Marshal(svc)
		if r, err := d.Upsert(ctx, "test", b); err != nil {
			t.Fatalf("service %s: %s %v", s.name, r.Outcome, err)
		}
	}
	return w
}

func uuid(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

func directoryService(n int, name, postcode string, status directory.Status) directory.Service {
	return directory.Service{ID: uuid(n), Name: name, Status: status, Description: name,
		Organization: &directory.Organization{ID: uuid(n + 1), Name: name + " charity", Description: ""},
		ServiceAtLocations: []directory.ServiceAtLocation{{ID: uuid(n + 2), Location: &directory.Location{
			ID: uuid(n + 3), LocationType: directory.LocationPhysical, Name: name + " hall",
			Addresses: []directory.Address{{ID: uuid(n + 4), Address1: "1 High Street", City: "Aberdeen", PostalCode: postcode,
				Country: "GB", AddressType: directory.LocationPhysical}},
		}}}}
}

func (w *world) refer(ctx context.Context, c store.Conn, postcode, needs string, service int64, status referral.Status, at time.Time) error {
	w.peopleCount++
	var person int64
	err := c.QueryRow(ctx, `INSERT INTO people (given_name, family_name, date_of_birth, sex, gender, ethnic_category, postcode,
		address, phone, email, contact_methods, preferred_language, accessibility_needs, practice_ods, carer_status, created_at, updated_at)
		VALUES ('Test', ?, '1950-01-01', 'female', '', 'Z', ?, '', '', '', '', 'en', '', '', '', ?, ?) RETURNING id`,
		fmt.Sprintf("Person%d", w.peopleCount), postcode, at, at).Scan(&person)
	if err != nil {
		return err
	}
	_, err = c.Exec(ctx, `INSERT INTO referrals (person_id, service_id, source, referrer_name, referrer_contact, needs, details,
		urgency, known_risks, consent_given, criteria_met, status, due_by, created_at, updated_at)
		VALUES (?, ?, 'gp', 'Dr Test', '', ?, '', 'routine', '', ?, 'yes', ?, ?, ?, ?)`,
		person, service, needs, true, string(status), at, at, at)
	return err
}

func rowsText(rows []Row) string {
	var parts []string
	for _, r := range rows {
		parts = append(parts, fmt.Sprintf("%s %s %d/%d", r.Area, r.Need, r.Referrals, r.Services))
	}
	return strings.Join(parts, "; ")
}

func TestReportComparesNeedsWithServicesInEachArea(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		s := NewService(db)
		for _, tc := range []struct {
			name                                         string
			f                                            Filter
			rows                                         string
			referrals, unplaced, uncompared, gaps, areas int
		}{
			{"districts, one organisation", Filter{From: w.from, To: w.to, Level: District, OrganisationID: w.orgA},
				"AB11 loneliness 3/0; AB11 money_debt 3/0; AB10 physical_activity 2/0; AB10 money_debt 6/2; ZZ1 housing 1/1", 13, 0, 1, 3, 3},
			{"districts, every organisation", Filter{From: w.from, To: w.to, Level: District},
				"AB11 money_debt 5/0; AB11 loneliness 3/0; AB10 physical_activity 2/0; AB10 money_debt 6/2; ZZ1 housing 1/1", 15, 0, 1, 3, 3},
			{"neighbourhoods", Filter{From: w.from, To: w.to, Level: LSOA, OrganisationID: w.orgA},
				"L03 loneliness 3/0; L03 money_debt 3/0; L02 physical_activity 2/0; L01 money_debt 6/2", 13, 1, 1, 3, 3},
			{"care boards", Filter{From: w.from, To: w.to, Level: ICB, OrganisationID: w.orgA},
				"I1 loneliness 3/0; I1 money_debt 9/2; I1 physical_activity 2/1", 13, 1, 1, 1, 1},
			{"a period with nothing", Filter{From: w.to, To: w.to.AddDate(0, 1, 0), Level: District}, "", 0, 0, 0, 0, 0},
		} {
			rep, err := s.Report(t.Context(), audit.System, tc.f, "html")
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if got := rowsText(rep.Rows); got != tc.rows {
				t.Errorf("%s: rows\n %s\nwant\n %s", tc.name, got, tc.rows)
			}
			if rep.Referrals != tc.referrals || rep.Unplaced != tc.unplaced || rep.Uncompared != tc.uncompared || rep.Gaps != tc.gaps || rep.Areas != tc.areas {
				t.Errorf("%s: %d referrals, %d unplaced, %d uncompared, %d gaps in %d areas; want %d, %d, %d, %d, %d", tc.name,
					rep.Referrals, rep.Unplaced, rep.Uncompared, rep.Gaps, rep.Areas, tc.referrals, tc.unplaced, tc.uncompared, tc.gaps, tc.areas)
			}
		}
		var n int
		var detail string
		err := db.Reader().QueryRow(t.Context(), `SELECT COUNT(*), MAX(detail) FROM audit_log WHERE action = 'report.gaps.view'`).Scan(&n, &detail)
		if err != nil || n != 5 || !strings.Contains(detail, "level=") || !strings.Contains(detail, "format=html") {
			t.Errorf("audit entries for the reports: %d (%q), %v; want one a report", n, detail, err)
		}
	})
}

func TestReportRefusesABadFilter(t *testing.T) {
	db := storetest.SQLite(t)
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		f     Filter
		field string
	}{
		{Filter{From: from, To: from.AddDate(0, 1, 0), Level: "ward"}, "level"},
		{Filter{From: from, To: from, Level: District}, "to"},
		{Filter{From: from, To: from.AddDate(6, 0, 0), Level: District}, "to"},
	} {
		_, err := NewService(db).Report(t.Context(), audit.System, tc.f, "html")
		ae, ok := apperr.As(err)
		if !ok || ae.Kind != apperr.Invalid || len(ae.Fields) != 1 || ae.Fields[0].Field != tc.field {
			t.Errorf("%+v: %v; want the %s field named", tc.f, err, tc.field)
		}
	}
}

func TestHeadlineSaysWhatWasFoundWithSmallNumbersHidden(t *testing.T) {
	db := storetest.SQLite(t)
	w := newWorld(t, db)
	rep, err := NewService(db).Report(t.Context(), audit.System, Filter{From: w.from, To: w.to, Level: District, OrganisationID: w.orgA}, "html")
	if err != nil {
		t.Fatal(err)
	}
	got := rep.Headline(func(t time.Time) string { return t.Format("2 January 2006") })
	want := "From 1 January 2026 to 30 June 2026, 13 referrals were made by people in 3 postcode districts. In 2 of these 3, " +
		"people were referred for needs that no community service in the same area meets (3 needs in all). " +
		"The largest: fewer than 5 referrals for loneliness and isolation in AB11, with no matching service there."
	if got != want {
		t.Errorf("headline\n %s\nwant\n %s", got, want)
	}
}

func TestCSVHidesSmallNumbersAndNeutralisesFormulas(t *testing.T) {
	rep := Report{Filter: Filter{Level: District}, Rows: []Row{
		{Area: "=HYPERLINK(\"http://evil\")", Need: referral.NeedMoneyDebt, Referrals: 12, Services: 0},
		{Area: " +1", Need: referral.NeedHousing, Referrals: 3, Services: 2},
		{Area: "@SUM(A1)", Need: referral.NeedBenefits, Referrals: 5, Services: 1},
		{Area: "AB10", Need: referral.NeedWeight, Referrals: 7, Services: 1},
	}}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, rep); err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"area_type", "area", "need", "referrals", "matching_services", "gap"},
		{"Postcode district", "'=HYPERLINK(\"http://evil\")", "Money and debt", "12", "0", "yes"},
		{"Postcode district", "' +1", "Housing", "<5", "2", "no"},
		{"Postcode district", "'@SUM(A1)", "Benefits", "5", "1", "no"},
		{"Postcode district", "AB10", "Weight", "7", "1", "no"},
	}
	if fmt.Sprint(records) != fmt.Sprint(want) {
		t.Errorf("CSV\n %q\nwant\n %q", records, want)
	}
}
