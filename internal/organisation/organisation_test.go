package organisation

import (
	"context"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func TestInputValidation(t *testing.T) {
	cases := []struct {
		in    Input
		field string
	}{
		{Input{Type: VCSE}, "name"},
		{Input{Name: "X", Type: "castle"}, "type"},
		{Input{Name: "X", Type: GPPractice}, "ods_code"},
		{Input{Name: "X", Type: GPPractice, ODSCode: "A-1"}, "ods_code"},
	}
	for _, c := range cases {
		ae, ok := apperr.As(c.in.Validate())
		if !ok || len(ae.Fields) == 0 || ae.Fields[0].Field != c.field {
			t.Errorf("%+v: %v, want a problem with %s", c.in, ae, c.field)
		}
	}
	ok := Input{Name: " Riverside ", Type: GPPractice, ODSCode: " y90001 "}
	if err := ok.Validate(); err != nil || ok.ODSCode != "Y90001" || ok.Name != "Riverside" {
		t.Errorf("valid input: %v, %+v", err, ok)
	}
}

func TestAgreementDates(t *testing.T) {
	in := AgreementInput{Title: "T", Purpose: "P", PartyIDs: []int64{1, 2},
		Starts: DateParts{"31", "2", "2026"}}
	ae, _ := apperr.As(in.Validate())
	if ae == nil || ae.Fields[0].Message != "Start date must be a real date" {
		t.Errorf("31 February: %v", ae)
	}
	in.Starts = DateParts{"1", "3", "2026"}
	in.Ends = DateParts{"1", "2", "2026"}
	ae, _ = apperr.As(in.Validate())
	if ae == nil || ae.Fields[0].Field != "ends" {
		t.Errorf("end before start: %v", ae)
	}
	in.Ends = DateParts{}
	in.PartyIDs = []int64{1, 1}
	ae, _ = apperr.As(in.Validate())
	if ae == nil || ae.Fields[0].Field != "parties" {
		t.Errorf("one party twice: %v", ae)
	}
}

func TestSharingFollowsAgreementsInForce(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := NewService(db)
		mk := func(name string) int64 {
			o, err := s.Create(ctx, audit.System, Input{Name: name, Type: VCSE})
			if err != nil {
				t.Fatal(err)
			}
			return o.ID
		}
		a, b, c := mk("A"), mk("B"), mk("C")
		_, err := s.CreateAgreement(ctx, audit.System, AgreementInput{Title: "AB", Purpose: "Direct care",
			Starts: DateParts{"1", "1", "2026"}, Ends: DateParts{"31", "12", "2026"}, PartyIDs: []int64{a, b}})
		if err != nil {
			t.Fatal(err)
		}
		day := func(s string) time.Time { d, _ := time.Parse(DateLayout, s); return d }
		cases := []struct {
			x, y int64
			on   string
			want bool
		}{
			{a, a, "2020-01-01", true},
			{a, b, "2026-06-01", true},
			{b, a, "2026-12-31", true},
			{a, b, "2027-01-01", false},
			{a, b, "2025-12-31", false},
			{a, c, "2026-06-01", false},
		}
		for _, k := range cases {
			got, err := s.Shares(ctx, k.x, k.y, day(k.on))
			if err != nil || got != k.want {
				t.Errorf("Shares(%d, %d, %s) = %v, %v; want %v", k.x, k.y, k.on, got, err, k.want)
			}
		}
		if _, err := s.Create(ctx, audit.System, Input{Name: "a", Type: VCSE}); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("duplicate name (case-insensitive): %v, want conflict", err)
		}
		if o, err := s.Resolve(ctx, "b"); err != nil || o.ID != b {
			t.Errorf("Resolve by name: %+v, %v", o, err)
		}
	})
}
