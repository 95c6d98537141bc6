package casework

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func TestSignpostingValidation(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.cases.now = func() time.Time { return recordsClock }
		r := w.refer(t, 0)
		actor := account.Actor(w.ot, "10.0.0.1")
		cases := []struct {
			name   string
			in     SignpostInput
			fields []string
		}{
			{"nothing entered", SignpostInput{}, []string{"service_1_name"}},
			{"only blank rows", SignpostInput{Services: []SignpostedService{{}, {Name: "  "}}}, []string{"service_1_name"}},
			{"second row without a name", SignpostInput{Services: []SignpostedService{{Name: "Age UK"}, {Organisation: "Citizens Advice"}}},
				[]string{"service_2_name"}},
			{"in the future", SignpostInput{On: day(1), Services: []SignpostedService{{Name: "Age UK"}}}, []string{"on"}},
			{"long reason", SignpostInput{Services: []SignpostedService{{Name: "Age UK", Why: strings.Repeat("x", 1001)}}}, []string{"service_1_why"}},
		}
		for _, c := range cases {
			_, err := w.cases.Signpost(ctx, actor, r.PersonID, c.in)
			wantFields(t, c.name, err, c.fields...)
		}
		one := SignpostInput{Services: []SignpostedService{{Name: "Age UK"}}}
		if _, err := w.cases.Signpost(ctx, audit.System, r.PersonID, one); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("signposting with nobody signed in: %v, want forbidden", err)
		}
		if _, err := w.cases.Signpost(ctx, actor, r.PersonID+100, one); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("signposting an unknown person: %v, want not found", err)
		}
		if got, _ := w.cases.Signposting(ctx, r.PersonID); len(got) != 0 {
			t.Errorf("refused signposting was saved: %+v", got)
		}
	})
}

func TestSignpostingAndPrintableList(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.cases.now = func() time.Time { return recordsClock }
		r := w.refer(t, 0) // no case: signposting needs none
		other := w.refer(t, 1)
		ot, lw := account.Actor(w.ot, "10.0.0.1"), account.Actor(w.lw, "10.0.0.2")
		first, err := w.cases.Signpost(ctx, lw, r.PersonID, SignpostInput{On: day(-10), Services: []SignpostedService{
			{Name: "Befriending service", Organisation: "Age UK Riverside", HowToContact: "0800 000 0000", Why: "A weekly phone call"},
			{},
			{Name: "Pension credit check", Organisation: "Citizens Advice", HowToContact: "Drop in, Tuesdays 10am to 12pm"},
		}})
		if err != nil {
			t.Fatal(err)
		}
		if first.On != "2026-06-05" || first.GivenBy != w.lw.ID || first.GivenByName != w.lw.Name || len(first.Services) != 2 ||
			first.Services[1].Name != "Pension credit check" {
			t.Errorf("first signposting: %+v", first)
		}
		again, err := w.cases.Signpost(ctx, ot, r.PersonID, SignpostInput{Services: []SignpostedService{
			{Name: "befriending service", Organisation: "Age UK Riverside", HowToContact: "0800 000 0000", Why: "Asked again"},
			{Name: "Falls prevention class", Organisation: "Riverside Leisure", Why: "Strength and balance"},
		}})
		if err != nil {
			t.Fatal(err)
		}
		if again.On != "2026-06-15" {
			t.Errorf("signposting with no date is today's: %q", again.On)
		}
		if _, err := w.cases.Signpost(ctx, ot, other.PersonID, SignpostInput{Services: []SignpostedService{{Name: "Carers' centre"}}}); err != nil {
			t.Fatal(err)
		}

		got, err := w.cases.Signposting(ctx, r.PersonID)
		if err != nil || len(got) != 2 || got[0].ID != again.ID || got[1].ID != first.ID {
			t.Fatalf("signposting newest first: %+v, %v", got, err)
		}
		list, err := w.cases.SignpostingList(ctx, r.PersonID)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, it := range list.Items {
			names = append(names, it.Name+" ("+it.GivenOn+")")
		}
		want := "befriending service (2026-06-15)|Falls prevention class (2026-06-15)|Pension credit check (2026-06-05)"
		if list.PersonName != "Person NumberA" || list.PreparedOn != "2026-06-15" || strings.Join(names, "|") != want {
			t.Errorf("printable list: %s, %s, %v; want %s", list.PersonName, list.PreparedOn, names, want)
		}
		just, err := w.cases.SignpostingList(ctx, r.PersonID, first.ID)
		if err != nil || len(just.Items) != 2 || just.Items[0].Why != "A weekly phone call" || just.Items[0].GivenByName != w.lw.Name {
			t.Errorf("printable list of one signposting: %+v, %v", just, err)
		}
		theirs, _ := w.cases.Signposting(ctx, other.PersonID)
		if _, err := w.cases.SignpostingList(ctx, r.PersonID, first.ID, theirs[0].ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("a list including someone else's signposting: %v, want not found", err)
		}
		if _, err := w.cases.Signposting(ctx, r.PersonID+100); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("signposting of an unknown person: %v", err)
		}
	})
}
