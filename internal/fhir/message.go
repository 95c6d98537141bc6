package fhir

import (
	"context"
	"encoding/json"
	"time"

	"github.com/linkwell/linkwell/internal/access"
	"github.com/linkwell/linkwell/internal/apiclient"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/store"
)

// BaRS-style messages (NHS Booking and Referral Standard): a message Bundle headed by a
// MessageHeader whose event is servicerequest-request, with reason new for a referral (the
// same resources a transaction carries) or update for a ServiceRequest revoked by its sender,
// which withdraws the referral. The answer is a servicerequest-response message.

// ProcessMessage handles a referral message; key is the Idempotency-Key header, if any. base
// is this server's FHIR base URL, the response's source.
func (s *Service) ProcessMessage(ctx context.Context, who Caller, body []byte, key, base string) (Reply, error) {
	k, err := s.begin(ctx, who, apiclient.ReferralWrite)
	if err != nil {
		return Reply{}, err
	}
	b, err := readBundle(body, "message")
	if err != nil {
		return Reply{}, err
	}
	h, reason, err := readHeader(b)
	if err != nil {
		return Reply{}, err
	}
	respond := func(x referralRow) ([]byte, error) {
		return marshal(responseMessage(k, h, x, base, s.now()))
	}
	hash := requestHash("POST /fhir/$process-message", body)
	if reason == "new" {
		in, err := readEntries(b.Entry, 1, false)
		if err != nil {
			return Reply{}, err
		}
		// A message sent again (BaRS senders retry) finds the referral its ServiceRequest's
		// identifier already made, rather than being refused as a duplicate.
		in.conditional = true
		if len(h.Focus) == 0 || !in.resolves(&h.Focus[0], in.requestAt) {
			return Reply{}, badRequest("invalid", "Bundle.entry[0].resource.focus", "The MessageHeader's focus must be the ServiceRequest in this Bundle, by its fullUrl")
		}
		return s.refer(ctx, who, k, in, hash, key, func(res referred) ([]byte, error) { return respond(res.row) })
	}
	return s.withdraw(ctx, who, k, b, hash, key, respond)
}

// readHeader checks the MessageHeader that must come first: the BaRS event and reason, and an
// id for the response to name.
func readHeader(b Bundle) (MessageHeader, string, error) {
	var h MessageHeader
	if len(b.Entry) == 0 || json.Unmarshal(b.Entry[0].Resource, &h) != nil || h.ResourceType != "MessageHeader" {
		return h, "", badRequest("required", "Bundle.entry[0].resource", "A message Bundle starts with its MessageHeader")
	}
	p := "Bundle.entry[0].resource"
	switch {
	case h.ID == "":
		return h, "", badRequest("required", p+".id", "The MessageHeader needs an id, which the response names")
	case h.EventCoding == nil || h.EventCoding.Code == "":
		return h, "", badRequest("required", p+".eventCoding", "MessageHeader.eventCoding is required")
	case h.EventCoding.System != systemBaRSEvent || h.EventCoding.Code != "servicerequest-request":
		return h, "", unprocessable("code-invalid", p+".eventCoding", "This server takes the event %s|servicerequest-request", systemBaRSEvent)
	}
	reason := h.Reason.codeIn(systemBaRSReason)
	switch reason {
	case "new", "update":
		return h, reason, nil
	case "":
		return h, "", badRequest("required", p+".reason", "MessageHeader.reason is required: new or update from %s", systemBaRSReason)
	}
	return h, "", unprocessable("code-invalid", p+".reason", "This server takes reasons new and update, not %q", reason)
}

// withdraw handles an update message: the ServiceRequest it carries, found by the sender's
// identifier or its id here, revoked, which cancels the referral.
func (s *Service) withdraw(ctx context.Context, who Caller, k ids, b Bundle, hash, key string, respond func(referralRow) ([]byte, error)) (Reply, error) {
	at := -1
	var sr ServiceRequest
	for i := 1; i < len(b.Entry); i++ {
		var head resourceHead
		if json.Unmarshal(b.Entry[i].Resource, &head) == nil && head.ResourceType == "ServiceRequest" {
			at = i
			if err := json.Unmarshal(b.Entry[i].Resource, &sr); err != nil {
				return Reply{}, badRequest("structure", entryPath(i), "The ServiceRequest could not be read")
			}
			break
		}
	}
	if at < 0 {
		return Reply{}, badRequest("required", "Bundle.entry", "An update message carries the ServiceRequest it changes")
	}
	if sr.Status != "revoked" {
		return Reply{}, unprocessable("business-rule", entryPath(at)+".status", "An update withdraws a referral: send its ServiceRequest with status revoked")
	}
	return s.once(ctx, who, key, hash, func(c store.Conn) ([]byte, error) {
		rid, err := s.findRequest(ctx, c, who, k, sr, at)
		if err != nil {
			return nil, err
		}
		x, err := getReferralRow(ctx, c, rid)
		if err != nil {
			return nil, err
		}
		if err := s.policy.ClientMayMove(s.policy.ClientReferral(who.Principal, x.parties(s.now())), "cancelled"); err != nil {
			return nil, err
		}
		if x.Status != referral.StatusCancelled {
			if err := s.referrals.DecideIn(ctx, c, who.actor(), rid, x.Version, referral.StatusCancelled, "", ""); err != nil {
				return nil, asProblem(err, nil)
			}
			if err := audit.Record(ctx, c, who.actor(), audit.Event{Action: "fhir.withdraw", RecordType: "referral",
				RecordID: audit.RecordID(rid), Detail: withOrg(who, "")}); err != nil {
				return nil, err
			}
			if x, err = getReferralRow(ctx, c, rid); err != nil {
				return nil, err
			}
		}
		return respond(x)
	})
}

// findRequest finds the referral an update names: by the sender's identifier, or its id here.
func (s *Service) findRequest(ctx context.Context, c store.Conn, who Caller, k ids, sr ServiceRequest, at int) (int64, error) {
	for _, id := range sr.Identifier {
		if id.System == "" || id.Value == "" {
			continue
		}
		rid, found, err := referralByIdentifier(ctx, c, who.org(), id)
		if err != nil || found {
			return rid, err
		}
	}
	if rid, ok := k.open(kindServiceRequest, sr.ID); ok {
		x, err := getReferralRow(ctx, c, rid)
		if err == nil && s.policy.ClientReferral(who.Principal, x.parties(s.now())) != access.NoParty {
			return rid, nil
		}
	}
	return 0, notFound(entryPath(at)+".identifier", "No referral this organisation sent has this ServiceRequest's identifier or id")
}

// responseMessage answers a message: a servicerequest-response naming the message it answers,
// with the ServiceRequest and the Task as they now stand.
func responseMessage(k ids, req MessageHeader, x referralRow, base string, now time.Time) Bundle {
	sr := x.serviceRequest(k, nil)
	task := x.task(k, nil)
	h := MessageHeader{ResourceType: "MessageHeader", ID: newUUID(),
		EventCoding: &Coding{System: systemBaRSEvent, Code: "servicerequest-response", Display: "Service Request - Response"},
		Source:      &MessageSource{Name: "Linkwell", Endpoint: base + "/$process-message"},
		Response:    &MessageResponse{Identifier: req.ID, Code: "ok"},
		Focus:       []Reference{{Reference: k.ref(kindServiceRequest, x.ID)}, {Reference: k.ref(kindTask, x.ID)}}}
	if req.Source != nil {
		h.Destination = []MessageDest{{Endpoint: req.Source.Endpoint, Receiver: req.Sender}}
	}
	raw := func(v any) json.RawMessage { b, _ := marshal(v); return b }
	return Bundle{ResourceType: "Bundle", ID: newUUID(), Type: "message", Timestamp: instant(now), Entry: []BundleEntry{
		{FullURL: "urn:uuid:" + h.ID, Resource: raw(h)},
		{FullURL: base + "/ServiceRequest/" + sr.ID, Resource: raw(sr)},
		{FullURL: base + "/Task/" + task.ID, Resource: raw(task)},
	}}
}
