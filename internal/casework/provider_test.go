package casework

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/notify"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func TestProviderAnswersMoveTheConnectionAndTellTheLead(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		k := w.recordsCase(t, 0) // the OT leads
		cn, err := w.cases.AddConnection(ctx, account.Actor(w.lw, "test"), k.ID, ConnectionInput{Activity: "Health walk", Status: ConnReferred})
		if err != nil {
			t.Fatal(err)
		}
		provider := audit.Actor{Label: "provider link", Address: "test"}
		if !slices.Equal(ProviderAnswers(ConnReferred), []ProviderAnswer{ProviderAccept, ProviderDecline}) ||
			!slices.Equal(ProviderAnswers(ConnAccepted), []ProviderAnswer{ProviderAttended}) || ProviderAnswers(ConnCompleted) != nil {
			t.Errorf("answers offered do not follow the status")
		}
		_, err = w.cases.AnswerAsProvider(ctx, provider, cn.ID, ProviderDecline, "  ", cn.Version, nil)
		wantFields(t, "a decline without a reason", err, "reason")
		if _, err := w.cases.AnswerAsProvider(ctx, provider, cn.ID, ProviderAttended, "", cn.Version, nil); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("confirming a session before accepting: %v, want a conflict", err)
		}
		if _, err := w.cases.AnswerAsProvider(ctx, provider, cn.ID, ProviderAccept, "", cn.Version, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := w.cases.AnswerAsProvider(ctx, provider, cn.ID, ProviderAccept, "", cn.Version, nil); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("accepting twice: %v, want a conflict", err)
		}
		unread, _ := notify.NewInbox(db).Unread(ctx, w.ot.ID)
		if len(unread) != 1 || unread[0].Kind != KindProviderAnswer || unread[0].Link != caseLink(k.ID)+"/connections" {
			t.Fatalf("the lead's notifications: %+v", unread)
		}

		// What runs with the answer is part of it: when it fails, nothing happened.
		if _, err := w.cases.AnswerAsProvider(ctx, provider, cn.ID, ProviderAttended, "", cn.Version+1,
			func(store.Conn) error { return errors.New("the link was spent meanwhile") }); err == nil {
			t.Fatal("the failed extra step was ignored")
		}
		got, _ := w.cases.Connections(ctx, k.ID)
		if got[0].Status != ConnAccepted {
			t.Errorf("after the failed step the connection is %s", got[0].Status)
		}
		if unread, _ := notify.NewInbox(db).Unread(ctx, w.ot.ID); len(unread) != 1 {
			t.Errorf("a rolled-back answer notified the lead")
		}
		ran := false
		if _, err := w.cases.AnswerAsProvider(ctx, provider, cn.ID, ProviderAttended, "Came with her daughter", cn.Version+1,
			func(store.Conn) error { ran = true; return nil }); err != nil || !ran {
			t.Fatalf("confirming the first session: %v (extra step ran: %v)", err, ran)
		}
		got, _ = w.cases.Connections(ctx, k.ID)
		last := got[0].History[len(got[0].History)-1]
		if got[0].Status != ConnFirstAttended || last.Note != "Came with her daughter" || last.ChangedBy != 0 {
			t.Errorf("after the first session: %s, last step %+v", got[0].Status, last)
		}
	})
}
