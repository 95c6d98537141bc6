package casework

import (
	"context"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func TestContactValidation(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		k := w.recordsCase(t, 0)
		actor := account.Actor(w.ot, "10.0.0.1")
		ok := ContactInput{Date: day(0), Time: "09:00", Type: ContactPhone, Minutes: "20", WorkerIDs: []int64{w.ot.ID}}
		with := func(change func(*ContactInput)) ContactInput {
			in := ok
			change(&in)
			return in
		}
		cases := []struct {
			name   string
			in     ContactInput
			fields []string
		}{
			{"nothing entered", ContactInput{}, []string{"date", "time", "type", "minutes", "workers"}},
			{"failed attempt with nothing entered", ContactInput{Failed: true}, []string{"date", "time", "type", "workers"}},
			{"not a number", with(func(in *ContactInput) { in.Minutes = "half an hour" }), []string{"minutes"}},
			{"too long", with(func(in *ContactInput) { in.Minutes = "601" }), []string{"minutes"}},
			{"negative", with(func(in *ContactInput) { in.Minutes = "-5" }), []string{"minutes"}},
			{"not a time", with(func(in *ContactInput) { in.Time = "25:00" }), []string{"time"}},
			{"later today", with(func(in *ContactInput) { in.Time = "11:00" }), []string{"time"}}, // 10:30 in London now
			{"tomorrow", with(func(in *ContactInput) { in.Date = day(1) }), []string{"date"}},
			{"not a real date", with(func(in *ContactInput) { in.Date = person.DateParts{Day: "30", Month: "2", Year: "2026"} }), []string{"date"}},
			{"unknown type", with(func(in *ContactInput) { in.Type = "carrier_pigeon" }), []string{"type"}},
			{"worker not on the team", with(func(in *ContactInput) { in.WorkerIDs = []int64{w.ot.ID, w.outsider.ID} }), []string{"workers"}},
			{"a GP who is not on the team", with(func(in *ContactInput) { in.WorkerIDs = []int64{w.gp.ID} }), []string{"workers"}},
		}
		for _, c := range cases {
			_, err := w.cases.RecordContact(ctx, actor, k.ID, c.in)
			wantFields(t, c.name, err, c.fields...)
		}
		if got, _ := w.cases.Contacts(ctx, k.ID); len(got) != 0 {
			t.Errorf("refused contacts were saved: %+v", got)
		}
		if _, err := w.cases.RecordContact(ctx, actor, k.ID+100, ok); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("a contact on an unknown case: %v", err)
		}
	})
}

func TestJointAndFailedContacts(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		k := w.recordsCase(t, 0)
		ot, lw := account.Actor(w.ot, "10.0.0.1"), account.Actor(w.lw, "10.0.0.2")
		if _, ok, err := w.cases.LastContact(ctx, k.ID); ok || err != nil {
			t.Errorf("last contact before any: %t, %v", ok, err)
		}
		failed, err := w.cases.RecordContact(ctx, lw, k.ID, ContactInput{Date: day(-2), Time: "2:15pm", Type: ContactPhone,
			Failed: true, Minutes: "ignored", Note: "No answer; left a voicemail", WorkerIDs: []int64{w.lw.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if !failed.Failed || failed.Minutes != 0 || failed.Type != ContactPhone {
			t.Errorf("failed attempt: %+v", failed)
		}
		if _, ok, _ := w.cases.LastContact(ctx, k.ID); ok {
			t.Error("a failed attempt counts as the last contact")
		}
		joint, err := w.cases.RecordContact(ctx, ot, k.ID, ContactInput{Date: day(-1), Time: "10:00", Type: ContactHomeVisit,
			Minutes: "90", Note: "Joint visit: falls assessment and talked about the lunch club",
			WorkerIDs: []int64{w.ot.ID, w.lw.ID, w.ot.ID}})
		if err != nil {
			t.Fatal(err)
		}
		// 10:00 in London in June is 09:00 UTC.
		if wantAt := time.Date(2026, 6, 14, 9, 0, 0, 0, time.UTC); !joint.At.Equal(wantAt) || !joint.Joint() || len(joint.Workers) != 2 {
			t.Errorf("joint visit: %+v, want at %v with two workers", joint, wantAt)
		}
		older, err := w.cases.RecordContact(ctx, lw, k.ID, ContactInput{Date: day(-20), Time: "11.30", Type: ContactMessage,
			Minutes: "0", WorkerIDs: []int64{w.lw.ID}})
		if err != nil {
			t.Fatal(err)
		}

		got, err := w.cases.Contacts(ctx, k.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || got[0].ID != joint.ID || got[1].ID != failed.ID || got[2].ID != older.ID {
			t.Fatalf("contacts newest first: %+v", got)
		}
		if names := []string{got[0].Workers[0].Name, got[0].Workers[1].Name}; names[0] != w.lw.Name || names[1] != w.ot.Name {
			t.Errorf("joint contact's workers: %+v", got[0].Workers)
		}
		if got[0].Minutes != 90 || got[0].Type != ContactHomeVisit || got[0].RecordedBy != w.ot.ID || got[1].Note != "No answer; left a voicemail" {
			t.Errorf("contacts as read back: %+v", got)
		}
		last, ok, err := w.cases.LastContact(ctx, k.ID)
		if err != nil || !ok || !last.Equal(joint.At) {
			t.Errorf("last contact: %v, %t, %v; want %v", last, ok, err, joint.At)
		}
		lasts, err := w.cases.LastContacts(ctx, []int64{k.ID, k.ID + 100})
		if err != nil || len(lasts) != 1 || !lasts[k.ID].Equal(joint.At) {
			t.Errorf("last contacts for a page: %v, %v; want only case %d at %v", lasts, err, k.ID, joint.At)
		}
	})
}

func TestParseClock(t *testing.T) {
	cases := map[string]string{"14:30": "14:30", "2:30pm": "14:30", "2:30 PM": "14:30", "9am": "09:00", "09.05": "09:05", "12am": "00:00"}
	for in, want := range cases {
		got, ok := parseClock(in)
		if !ok || got.Format("15:04") != want {
			t.Errorf("parseClock(%q) = %v, %t; want %s", in, got.Format("15:04"), ok, want)
		}
	}
	for _, in := range []string{"", "25:00", "14:60", "noon", "1430"} {
		if _, ok := parseClock(in); ok {
			t.Errorf("parseClock(%q) accepted", in)
		}
	}
}
