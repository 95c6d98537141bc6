package person

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var today = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

func valid() Input {
	return Input{NHSNumber: "943 476 5919", GivenName: "Margaret", FamilyName: "O'Brien",
		DateOfBirth: DateParts{"3", "7", "1941"}, Sex: Female, Postcode: "ab10 1an",
		Phone: "01224 555 0100", ContactMethods: []ContactMethod{ByPhone}}
}

func fieldsOf(err error) map[string]string {
	out := map[string]string{}
	if ae, ok := apperr.As(err); ok {
		for _, f := range ae.Fields {
			out[f.Field] = f.Message
		}
	}
	return out
}

func TestValidate(t *testing.T) {
	p, err := valid().Validate(today)
	if err != nil {
		t.Fatal(err)
	}
	if p.NHSNumber != "9434765919" || p.DateOfBirth != "1941-07-03" || p.Postcode != "AB10 1AN" || p.EthnicCategory != "Z" || p.CarerStatus != "not_known" {
		t.Errorf("normalised person: %+v", p)
	}
	if p.Age(today) != 85 {
		t.Errorf("age %d, want 85", p.Age(today))
	}
	cases := []struct {
		name   string
		change func(*Input)
		field  string
		msg    string
	}{
		{"bad check digit", func(in *Input) { in.NHSNumber = "9434765918" }, "nhs_number", "Enter a valid NHS number: check it against a letter or the NHS App"},
		{"missing NHS number", func(in *Input) { in.NHSNumber = "" }, "nhs_number", "Enter the NHS number"},
		{"no first name", func(in *Input) { in.GivenName = " " }, "given_name", "Enter their first name"},
		{"no date of birth", func(in *Input) { in.DateOfBirth = DateParts{} }, "date_of_birth", "Enter their date of birth"},
		{"part of a date", func(in *Input) { in.DateOfBirth.Month = "" }, "date_of_birth", "Date of birth must include a day, month and year"},
		{"impossible date", func(in *Input) { in.DateOfBirth = DateParts{"30", "2", "1950"} }, "date_of_birth", "Date of birth must be a real date"},
		{"future date", func(in *Input) { in.DateOfBirth = DateParts{"1", "1", "2030"} }, "date_of_birth", "Date of birth must be in the past"},
		{"bad postcode", func(in *Input) { in.Postcode = "NOT A CODE" }, "postcode", "Enter a real postcode, like LS1 4AP"},
		{"outward code alone", func(in *Input) { in.Postcode = "AB10" }, "postcode", "Enter a real postcode, like LS1 4AP"},
		{"phone wanted but missing", func(in *Input) { in.Phone = "" }, "phone", "Enter a phone number, or untick phone and text message"},
		{"email wanted but missing", func(in *Input) { in.ContactMethods = []ContactMethod{ByEmail} }, "email", "Enter an email address, or untick email"},
		{"unknown sex", func(in *Input) { in.Sex = "robot" }, "sex", "Select their sex from the list"},
		{"unknown ethnic code", func(in *Input) { in.EthnicCategory = "Q" }, "ethnic_category", "Select an ethnic category from the list"},
	}
	for _, c := range cases {
		in := valid()
		c.change(&in)
		_, err := in.Validate(today)
		if got := fieldsOf(err)[c.field]; got != c.msg {
			t.Errorf("%s: %s = %q, want %q (all: %v)", c.name, c.field, got, c.msg, fieldsOf(err))
		}
	}
	selfReferral := valid()
	selfReferral.NHSNumber, selfReferral.NHSNumberOptional = "", true
	if p, err := selfReferral.Validate(today); err != nil || p.NHSNumber != "" {
		t.Errorf("self-referral without an NHS number: %+v, %v", p, err)
	}
}

func TestMatchingNeverUsesNHSNumberAlone(t *testing.T) {
	people := []Person{
		{ID: 1, NHSNumber: "9434765919", GivenName: "Margaret", FamilyName: "O'Brien", DateOfBirth: "1941-07-03"},
		{ID: 2, NHSNumber: "4010232137", GivenName: "Margaret", FamilyName: "Obrian", DateOfBirth: "1941-07-03"},
		{ID: 3, GivenName: "Peter", FamilyName: "OBrien", DateOfBirth: "1941-07-03"},
		{ID: 4, GivenName: "Margaret", FamilyName: "O'Brien", DateOfBirth: "1941-07-04"},
	}
	ids := func(ms []Match) (out []int64) {
		for _, m := range ms {
			if !m.Conflict {
				out = append(out, m.Person.ID)
			}
		}
		return out
	}
	cases := []struct {
		name string
		q    Query
		want []int64
	}{
		{"NHS number and date of birth", Query{NHSNumber: "9434765919", DateOfBirth: "1941-07-03"}, []int64{1}},
		{"NHS number with another birthday is not a match", Query{NHSNumber: "9434765919", DateOfBirth: "1950-01-01"}, nil},
		{"name and date of birth, allowing a slip", Query{GivenName: "margaret", FamilyName: "OBrien", DateOfBirth: "1941-07-03"}, []int64{1, 2}},
		{"different first initial", Query{GivenName: "Anne", FamilyName: "O'Brien", DateOfBirth: "1941-07-03"}, nil},
		{"name on another day", Query{GivenName: "Margaret", FamilyName: "O'Brien", DateOfBirth: "1941-07-05"}, nil},
	}
	for _, c := range cases {
		got := ids(matches(c.q, people))
		if len(got) != len(c.want) || (len(got) > 0 && (got[0] != c.want[0] || got[len(got)-1] != c.want[len(c.want)-1])) {
			t.Errorf("%s: matched %v, want %v", c.name, got, c.want)
		}
	}
	conflict := matches(Query{NHSNumber: "9434765919", DateOfBirth: "1950-01-01"}, people)
	if len(conflict) != 1 || !conflict[0].Conflict {
		t.Errorf("an NHS number with a different date of birth should be flagged to check: %+v", conflict)
	}
}

func TestServiceOnBothEngines(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := NewService(db)
		s.now = func() time.Time { return today }
		actor := audit.Actor{Label: "test", Address: "10.0.0.1"}
		p, err := s.Create(ctx, actor, valid())
		if err != nil {
			t.Fatal(err)
		}
		in := valid()
		in.Version = p.Version
		in.Phone = "07700 900123"
		if _, err := s.Update(ctx, actor, p.ID, in); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Update(ctx, actor, p.ID, in); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("stale edit: %v, want conflict", err)
		}
		if _, err := s.Update(ctx, actor, 99999, in); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("edit of nobody: %v, want not found", err)
		}
		got, err := s.View(ctx, actor, p.ID, "test")
		if err != nil || got.Phone != "07700 900123" || len(got.ContactMethods) != 1 {
			t.Errorf("View = %+v, %v", got, err)
		}
		found, err := s.Find(ctx, actor, Query{NHSNumber: "9434765919", DateOfBirth: "1941-07-03"})
		if err != nil || len(found) != 1 || found[0].Person.ID != p.ID {
			t.Errorf("Find = %+v, %v", found, err)
		}
		if _, err := s.Find(ctx, actor, Query{NHSNumber: "9434765919"}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("a search without a date of birth: %v, want refusal", err)
		}
		if err := s.RecordConsent(ctx, actor, p.ID, ConsentGPSharing, "full"); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordConsent(ctx, actor, p.ID, ConsentGPSharing, "codes_only"); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordConsent(ctx, actor, p.ID, ConsentGPSharing, "everything"); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("an unknown consent value: %v", err)
		}
		current, all, err := s.Consents(ctx, p.ID)
		if err != nil || current[ConsentGPSharing].Value != "codes_only" || len(all) != 2 {
			t.Errorf("Consents = %+v, %d, %v", current, len(all), err)
		}
		page, err := audit.List(ctx, db, audit.Filter{RecordType: "person"})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for _, e := range page.Entries {
			seen[e.Action]++
			if e.Detail != "" && (strings.Contains(e.Detail, "O'Brien") || strings.Contains(e.Detail, "9434765919")) {
				t.Errorf("audit detail holds personal data: %q", e.Detail)
			}
		}
		if seen["person.create"] != 1 || seen["person.update"] != 1 || seen["person.view"] != 1 || seen["person.search"] != 1 || seen["consent.record"] != 2 {
			t.Errorf("audit entries: %v", seen)
		}
	})
}
