package casework

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/notify"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

// outbox records the emails sent, or fails them with err.
type outbox struct {
	sent []notify.Email
	err  error
}

func (o *outbox) Send(_ context.Context, e notify.Email) error {
	if o.err != nil {
		return o.err
	}
	o.sent = append(o.sent, e)
	return nil
}

func TestEmailSignpostingGoesWhereThePersonAgreed(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.cases.now = func() time.Time { return recordsClock }
		r := w.refer(t, 0)
		lw := account.Actor(w.lw, "10.0.0.2")
		sp, err := w.cases.Signpost(ctx, lw, r.PersonID, SignpostInput{Services: []SignpostedService{
			{Name: "Debt Advice Drop-in", Organisation: "Citizens Advice", HowToContact: "Phone 01632 960000", Why: "Help with the arrears"}}})
		if err != nil {
			t.Fatal(err)
		}
		people := person.NewService(db)
		p, _ := people.Get(ctx, r.PersonID)
		mail := &outbox{}
		send := func(in SignpostEmail) error { return w.cases.EmailSignposting(ctx, lw, mail, p, in, sp.ID) }

		wantFields(t, "no choice", send(SignpostEmail{}), "to")
		wantFields(t, "no recorded consent to email", send(SignpostEmail{To: ToRecordedAddress}), "to")
		wantFields(t, "nothing typed", send(SignpostEmail{To: ToTypedAddress}), "email")
		wantFields(t, "not an address", send(SignpostEmail{To: ToTypedAddress, Address: "margaret at home"}), "email")
		if len(mail.sent) != 0 {
			t.Fatalf("refused requests sent %d emails", len(mail.sent))
		}
		if err := send(SignpostEmail{To: ToTypedAddress, Address: " person@example.com "}); err != nil {
			t.Fatal(err)
		}
		e := mail.sent[0]
		if e.To != "person@example.com" || e.Kind != KindSignpostingList || !strings.Contains(e.Body, "Debt Advice Drop-in") ||
			!strings.Contains(e.Body, "Phone 01632 960000") || !strings.Contains(e.Body, "Help with the arrears") {
			t.Errorf("email: %+v", e)
		}

		// With email agreed on the record, the recorded address is used.
		p.Email, p.ContactMethods = "recorded@example.com", []person.ContactMethod{person.ByEmail}
		if RecordedEmail(p) != "recorded@example.com" {
			t.Fatalf("recorded email %q", RecordedEmail(p))
		}
		if err := send(SignpostEmail{To: ToRecordedAddress, Address: "ignored@example.com"}); err != nil || mail.sent[1].To != "recorded@example.com" {
			t.Errorf("to the record: %v, %+v", err, mail.sent)
		}
		p.DoNotContact = true
		wantFields(t, "do not contact", send(SignpostEmail{To: ToRecordedAddress}), "to")

		var audited int
		db.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'person.signpost_email' AND record_id = ?`,
			strconv.FormatInt(r.PersonID, 10)).Scan(&audited)
		var leaked int
		db.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%example.com%'`).Scan(&leaked)
		if audited != 2 || leaked != 0 {
			t.Errorf("%d audit entries (want 2), %d holding an address (want 0)", audited, leaked)
		}
		mail.err = errors.New("the mail server is down")
		if err := send(SignpostEmail{To: ToTypedAddress, Address: "person@example.com"}); err == nil {
			t.Errorf("a failed send was reported as sent")
		}
	})
}
