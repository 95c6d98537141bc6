package casework

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/notify"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/store"
)

// KindSignpostingList is the email kind of a signposting list sent to the person it is for.
const KindSignpostingList notify.Kind = "person.signposting_list"

// Where a signposting list is emailed to.
const (
	ToRecordedAddress = "record" // the address on their record, when they agreed to email
	ToTypedAddress    = "typed"  // an address they gave the worker
)

// SignpostEmail says where a list goes: To is ToRecordedAddress or ToTypedAddress, with the
// typed Address.
type SignpostEmail struct {
	To      string
	Address string
}

// RecordedEmail is the address on a person's record that their signposting list may go to:
// theirs, if they agreed to be contacted by email and not told us not to contact them.
func RecordedEmail(p person.Person) string {
	if p.DoNotContact || !slices.Contains(p.ContactMethods, person.ByEmail) {
		return ""
	}
	return p.Email
}

// EmailSignposting emails a person their list of services from the signposting records named
// (or every service they have been told about), auditing that it was sent and where to
// (recorded or typed, never the address). The email goes once the audit entry is written.
func (s *Service) EmailSignposting(ctx context.Context, actor audit.Actor, mailer notify.Mailer, p person.Person, in SignpostEmail,
	signpostIDs ...int64) error {
	to := strings.TrimSpace(in.Address)
	var errs apperr.Fields
	switch in.To {
	case ToRecordedAddress:
		if to = RecordedEmail(p); to == "" {
			errs.Add("to", "They have not agreed to email on their record: type the address they gave you")
		}
	case ToTypedAddress:
		switch {
		case to == "":
			errs.Add("email", "Enter their email address")
		case len(to) > 254 || !person.ValidEmail(to):
			errs.Add("email", "Enter an email address in the correct format, like name@example.com")
		}
	default:
		errs.Add("to", "Select where to send the list")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	list, err := s.SignpostingList(ctx, p.ID, signpostIDs...)
	if err != nil {
		return err
	}
	if len(list.Items) == 0 {
		return apperr.New(apperr.Invalid, "There are no services on this list to send")
	}
	err = s.db.Tx(ctx, func(c store.Conn) error {
		return audit.Record(ctx, c, actor, audit.Event{Action: "person.signpost_email", RecordType: "person",
			RecordID: audit.RecordID(p.ID), Detail: fmt.Sprintf("services=%d to=%s", len(list.Items), in.To)})
	})
	if err != nil {
		return apperr.Wrap("email signposting", err)
	}
	return apperr.Wrap("email signposting", mailer.Send(ctx, signpostingEmail(list, to)))
}

// signpostingEmail is the list as a plain-text email, worded as the printed list is.
func signpostingEmail(list SignpostList, to string) notify.Email {
	var b strings.Builder
	fmt.Fprintf(&b, "This list of services that could help you is for %s.\n", list.PersonName)
	for _, it := range list.Items {
		fmt.Fprintf(&b, "\n%s\n", it.Name)
		if it.Organisation != "" {
			fmt.Fprintf(&b, "Run by %s.\n", it.Organisation)
		}
		if it.Why != "" {
			fmt.Fprintf(&b, "How it could help you: %s\n", it.Why)
		}
		if it.HowToContact != "" {
			fmt.Fprintf(&b, "How to get in touch: %s\n", it.HowToContact)
		}
		fmt.Fprintf(&b, "Suggested by %s.\n", it.GivenByName)
	}
	b.WriteString("\nIf you need help to contact any of these services, or something has changed, speak to the person who gave you this list.\n")
	return notify.Email{Kind: KindSignpostingList, To: to, Subject: "Services that could help you", Body: b.String()}
}
