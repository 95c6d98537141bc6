package casework

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

// allowedMoves is the connection lifecycle written out move by move, independently of the
// table in connections.go, so that a change to either shows up here.
var allowedMoves = []string{
	"suggested>referred", "suggested>first_attended", "suggested>declined",
	"referred>accepted", "referred>declined", "referred>no_capacity",
	"accepted>first_attended", "accepted>did_not_attend", "accepted>declined",
	"first_attended>attending", "first_attended>completed", "first_attended>declined",
	"attending>completed", "attending>declined",
	"did_not_attend>referred", "did_not_attend>first_attended", "did_not_attend>declined",
	"no_capacity>referred", "no_capacity>accepted", "no_capacity>declined",
}

func TestConnectionTransitions(t *testing.T) {
	for _, from := range ConnectionStatuses {
		for _, to := range ConnectionStatuses {
			err := CheckConnectionTransition(from, to)
			allowed := slices.Contains(allowedMoves, fmt.Sprintf("%s>%s", from, to))
			switch {
			case allowed && err != nil:
				t.Errorf("%s → %s refused: %v", from, to, err)
			case !allowed && !apperr.Is(err, apperr.Conflict):
				t.Errorf("%s → %s: %v, want a conflict", from, to, err)
			case !allowed:
				if ae, _ := apperr.As(err); ae.Message == "" || ae.Message[0] < 'A' || ae.Message[0] > 'Z' {
					t.Errorf("%s → %s: message %q is not a sentence", from, to, ae.Message)
				}
			}
		}
		if from.Label() == "" {
			t.Errorf("%s has no label", from)
		}
	}
	if err := CheckConnectionTransition("suggested", "teleported"); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("an unknown status: %v, want invalid", err)
	}
	ae, _ := apperr.As(CheckConnectionTransition(ConnCompleted, ConnAttending))
	if ae == nil || ae.Message != "A connection that has been completed cannot change: add a new connection to try again" {
		t.Errorf("moving a completed connection: %v", ae)
	}
	ae, _ = apperr.As(CheckConnectionTransition(ConnSuggested, ConnCompleted))
	if ae == nil || ae.Message != "A connection that has only been suggested cannot be completed" {
		t.Errorf("completing a suggestion: %v", ae)
	}
	if !ConnCompleted.Ended() || !ConnDeclined.Ended() || ConnNoCapacity.Ended() || len(ConnAccepted.Next()) != 3 {
		t.Error("Ended and Next disagree with the table")
	}
}

func TestConnectionValidation(t *testing.T) {
	cases := []struct {
		name   string
		in     ConnectionInput
		fields []string
	}{
		{"nothing entered", ConnectionInput{}, []string{"activity"}},
		{"starting part way through", ConnectionInput{Activity: "Walking football", Status: ConnAttending}, []string{"status"}},
		{"unknown barrier", ConnectionInput{Activity: "Walking football", Barriers: []string{"rain"}}, []string{"barriers"}},
		{"long name", ConnectionInput{Activity: string(make([]byte, 201))}, []string{"activity"}},
	}
	for _, c := range cases {
		_, err := c.in.Validate()
		wantFields(t, c.name, err, c.fields...)
	}
	cn, err := ConnectionInput{Activity: "Walking football", FirstSessionNote: "Will drive them"}.Validate()
	if err != nil || cn.Status != ConnSuggested || cn.FirstSessionNote != "" {
		t.Errorf("defaults: %+v, %v", cn, err)
	}
}

func TestConnectionLifecycle(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		k := w.recordsCase(t, 0)
		ot, lw := account.Actor(w.ot, "10.0.0.1"), account.Actor(w.lw, "10.0.0.2")
		cn, err := w.cases.AddConnection(ctx, lw, k.ID, ConnectionInput{Activity: "Men's Shed", Organisation: "Riverside Men's Shed",
			FirstSessionHelp: true, FirstSessionNote: "I'll meet him at the door", Barriers: []string{"transport", "emotional"}})
		if err != nil {
			t.Fatal(err)
		}
		if cn.Status != ConnSuggested || cn.Version != 1 || cn.DirectoryServiceID != 0 || !cn.FirstSessionHelp ||
			!slices.Equal(cn.Barriers, []Barrier{"emotional", "transport"}) || len(cn.History) != 1 || cn.History[0].From != "" {
			t.Errorf("new connection: %+v", cn)
		}
		steps := []struct {
			to   ConnectionStatus
			note string
		}{
			{ConnReferred, "Emailed the shed's coordinator"},
			{ConnAccepted, ""},
			{ConnFirstAttended, "Went with him; stayed an hour"},
			{ConnAttending, ""},
			{ConnCompleted, "Now volunteers there"},
		}
		version := cn.Version
		for _, s := range steps {
			if err := w.cases.MoveConnection(ctx, lw, cn.ID, s.to, s.note, version); err != nil {
				t.Fatalf("moving to %s: %v", s.to, err)
			}
			version++
			if s.to == ConnReferred {
				if err := w.cases.MoveConnection(ctx, ot, cn.ID, ConnDeclined, "", version-1); !apperr.Is(err, apperr.Conflict) {
					t.Errorf("a move from a stale version: %v, want conflict", err)
				}
			}
		}
		if err := w.cases.MoveConnection(ctx, ot, cn.ID, ConnAttending, "", version); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("moving a completed connection: %v, want conflict", err)
		}
		if err := w.cases.MoveConnection(ctx, ot, cn.ID+100, ConnReferred, "", 1); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("an unknown connection: %v", err)
		}
		updated, err := w.cases.UpdateConnection(ctx, ot, cn.ID, ConnectionInput{Activity: "Men's Shed", Organisation: "Riverside Men's Shed",
			ProviderFeedback: "A regular; helps with the woodwork class", Barriers: []string{"transport"}}, version)
		if err != nil {
			t.Fatal(err)
		}
		if updated.Status != ConnCompleted || updated.ProviderFeedback == "" || updated.FirstSessionHelp || !slices.Equal(updated.Barriers, []Barrier{"transport"}) {
			t.Errorf("after updating details: %+v", updated)
		}
		if _, err := w.cases.UpdateConnection(ctx, ot, cn.ID, ConnectionInput{Activity: "Stale"}, version); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("updating from a stale version: %v, want conflict", err)
		}

		other, err := w.cases.AddConnection(ctx, ot, k.ID, ConnectionInput{Activity: "Chair yoga", Status: ConnReferred})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.cases.MoveConnection(ctx, ot, other.ID, ConnNoCapacity, "Full until September", other.Version); err != nil {
			t.Fatal(err)
		}
		all, err := w.cases.Connections(ctx, k.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 2 || all[0].ID != other.ID || all[0].Status != ConnNoCapacity || all[1].ID != cn.ID {
			t.Fatalf("connections newest first: %+v", all)
		}
		var path []string
		for _, h := range all[1].History {
			path = append(path, fmt.Sprintf("%s>%s", h.From, h.To))
			if h.ChangedBy != w.lw.ID || h.ChangedByName != w.lw.Name || h.At.IsZero() {
				t.Errorf("history entry without who or when: %+v", h)
			}
		}
		wantPath := []string{">suggested", "suggested>referred", "referred>accepted", "accepted>first_attended",
			"first_attended>attending", "attending>completed"}
		if !slices.Equal(path, wantPath) {
			t.Errorf("history: %v, want %v", path, wantPath)
		}
		if all[1].History[3].Note != "Went with him; stayed an hour" || all[0].History[1].Note != "Full until September" {
			t.Errorf("history notes: %+v / %+v", all[1].History, all[0].History)
		}
	})
}
