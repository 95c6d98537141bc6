package fhir

import (
	"context"
	"strings"
	"testing"

	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

// A referral for someone already known keeps the contact details sent that differ from their
// record for the triager, and leaves the record as it was.
func TestSentDetailsForAKnownPerson(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		first := w.send(t, "RMC-1")
		if sent, err := w.fhir.SentDetails(ctx, first.referralID); err != nil || len(sent) != 0 {
			t.Fatalf("a new person's referral has details that differ: %+v %v", sent, err)
		}
		m := w.refer(t, func(m map[string]any) {
			setIdentifier(m, "RMC-2")
			pt := resourceAt(m, 0)
			pt["telecom"] = []any{map[string]any{"system": "phone", "value": "0113 496 0000"}, map[string]any{"system": "email", "value": "M.Okonkwo@example.com"}}
			pt["address"] = []any{map[string]any{"line": []any{"3 New Street"}, "city": "Riverside", "postalCode": "ls1 4ap"}}
		})
		second := w.referralID(t, location(m, 1))
		sent, err := w.fhir.SentDetails(ctx, second)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range sent {
			got = append(got, d.Field+"="+d.Value)
		}
		if strings.Join(got, " ") != "email=m.okonkwo@example.com address=3 New Street, Riverside" {
			t.Errorf("details that differ: %v, want the new email and address (the same phone and postcode are no difference)", got)
		}
		r, _ := w.referrals.Get(ctx, second)
		if p, _ := w.people.Get(ctx, r.PersonID); p.Email != "" || !strings.HasPrefix(p.Address, "14 Mill Lane") {
			t.Errorf("the record was rewritten: %+v", p)
		}
	})
}
