package fhir

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/linkwell/linkwell/internal/apiclient"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/organisation"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/store"
)

// Reply is a finished answer: a status and a JSON body, as first given and as replayed to a
// retry with the same idempotency key.
type Reply struct {
	Status int
	Body   []byte
}

// Transaction records the referral in a transaction Bundle (Patient, ServiceRequest, Consent,
// optionally QuestionnaireResponses and a Task): the person, matched by NHS number and date
// of birth or created, the referral, its consents and its Task, all or nothing. key is the
// Idempotency-Key header, if any.
func (s *Service) Transaction(ctx context.Context, who Caller, body []byte, key string) (Reply, error) {
	k, err := s.begin(ctx, who, apiclient.ReferralWrite)
	if err != nil {
		return Reply{}, err
	}
	b, err := readBundle(body, "transaction")
	if err != nil {
		return Reply{}, err
	}
	in, err := readEntries(b.Entry, 0, true)
	if err != nil {
		return Reply{}, err
	}
	return s.refer(ctx, who, k, in, requestHash("POST /fhir", body), key, func(res referred) ([]byte, error) {
		return marshal(transactionResponse(in, res, k, s.now()))
	})
}

// readBundle reads a Bundle of the type expected.
func readBundle(body []byte, typ string) (Bundle, error) {
	var b Bundle
	if err := json.Unmarshal(body, &b); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return Bundle{}, badRequest("structure", "Bundle."+te.Field, "This element has the wrong type: expected %s", te.Type)
		}
		return Bundle{}, badRequest("structure", "", "The body is not valid JSON: %v", err)
	}
	if b.ResourceType != "Bundle" {
		return Bundle{}, badRequest("invalid", "Bundle.resourceType", "Send a Bundle, not %q", b.ResourceType)
	}
	if b.Type != typ {
		return Bundle{}, badRequest("not-supported", "Bundle.type", "Send a Bundle of type %s here, not %q", typ, b.Type)
	}
	return b, nil
}

func requestHash(route string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(route + "\n"))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// referred is what recording a referral made or found.
type referred struct {
	row           referralRow
	existing      bool // the ServiceRequest existed (conditional create): nothing was made
	personMatched bool
	personVersion int64
	personUpdated time.Time
	answerIDs     []int64
}

// refer records an intake once per idempotency key, answering with what respond makes of it.
func (s *Service) refer(ctx context.Context, who Caller, k ids, in *intake, hash, key string, respond func(referred) ([]byte, error)) (Reply, error) {
	sub, err := s.submission(ctx, who, k, in)
	if err != nil {
		return Reply{}, err
	}
	return s.once(ctx, who, key, hash, func(c store.Conn) ([]byte, error) {
		res, err := s.record(ctx, c, who, in, sub)
		if err != nil {
			return nil, err
		}
		return respond(res)
	})
}

// once runs a change in a transaction, once per idempotency key: a retry with the key gets the
// first answer, and two concurrent requests with one key change things once (on PostgreSQL
// the second waits on the first's key and is rolled back; SQLite's single writer runs them
// one after the other). Without a key it simply runs the change.
func (s *Service) once(ctx context.Context, who Caller, key, hash string, change func(store.Conn) ([]byte, error)) (Reply, error) {
	for attempt := 0; ; attempt++ {
		var reply Reply
		err := s.db.Tx(ctx, func(c store.Conn) error {
			if key != "" {
				if done, found, err := replay(ctx, c, who, key, hash); found || err != nil {
					reply = done
					return err
				}
			}
			body, err := change(c)
			if err != nil {
				return err
			}
			reply = Reply{Status: http.StatusOK, Body: body}
			if key == "" {
				return nil
			}
			return remember(ctx, c, who, key, hash, reply)
		})
		// A unique index refused a concurrent twin (the same key, or the same identifier):
		// this transaction is undone, and the next attempt finds what the twin recorded.
		if store.IsUniqueViolation(err) && attempt < 2 {
			continue
		}
		if err != nil {
			return Reply{}, err
		}
		return reply, nil
	}
}

// submission builds the referral from the intake, checking what can be checked before the
// transaction: the NHS number, the service referred to and the sender's organisation.
func (s *Service) submission(ctx context.Context, who Caller, k ids, in *intake) (referral.Input, error) {
	nhs, msg := person.ParseNHSNumber(in.nhsNumber)
	if msg != "" {
		return referral.Input{}, unprocessable("value", in.paths["nhs_number"], "%s", msg)
	}
	in.nhsNumber = string(nhs)
	serviceID, ok := k.openRef(kindHealthcareService, in.serviceRef)
	if !ok {
		return referral.Input{}, notFound(in.paths["service"], "No HealthcareService %q takes referrals here: find one with GET /fhir/HealthcareService", in.serviceRef)
	}
	if _, err := s.referrals.ReceivingService(ctx, serviceID); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return referral.Input{}, notFound(in.paths["service"], "No HealthcareService %q takes referrals here", in.serviceRef)
		}
		return referral.Input{}, err
	}
	org, err := s.orgs.Get(ctx, who.org())
	if err != nil {
		return referral.Input{}, err
	}
	source := in.source
	if source == "" {
		if source = sourceByOrgType[org.Type]; source == "" {
			source = referral.SourceOther
		}
	}
	name := in.requester.Display
	if name == "" {
		name = "ODS " + in.requester.Identifier.Value
	}
	return referral.Input{ServiceID: serviceID, Source: source, Needs: in.needs, Details: in.details, Urgency: in.urgency,
		ConsentGiven: true, GPSharing: in.gpSharing, CriteriaMet: referral.CriteriaUnsure, ReferrerName: name,
		ReferrerContact: orgContact(org), Person: in.personInput()}, nil
}

func orgContact(o organisation.Organisation) string {
	if o.ODSCode == "" {
		return o.Name
	}
	return o.Name + " (ODS " + o.ODSCode + ")"
}

// record does the writing: find the ServiceRequest if it exists (conditional create), match
// or create the person, submit the referral, and keep what FHIR adds to it.
func (s *Service) record(ctx context.Context, c store.Conn, who Caller, in *intake, sub referral.Input) (referred, error) {
	if in.identifier.Value != "" {
		id, found, err := referralByIdentifier(ctx, c, who.org(), in.identifier)
		if err != nil {
			return referred{}, err
		}
		if found && !in.conditional {
			return referred{}, conflict("duplicate", entryPath(in.requestAt)+".identifier",
				"A ServiceRequest with this identifier was already sent: send it with ifNoneExist to get it back instead")
		}
		if found {
			return s.found(ctx, c, id)
		}
	}
	matched, sent, err := s.matchPerson(ctx, c, in, &sub)
	if err != nil {
		return referred{}, err
	}
	r, err := s.referrals.SubmitIn(ctx, c, who.actor(), referral.Referrer{Name: sub.ReferrerName}, sub)
	if err != nil {
		return referred{}, asProblem(err, in.paths)
	}
	requester, _ := json.Marshal(in.requester)
	now := store.Now()
	if _, err := c.Exec(ctx, `INSERT INTO fhir_referrals (referral_id, client_id, requester_org_id, requester, identifier_system,
		identifier_value, authored_on, created_at, sent_details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.ID, who.Client.ID, who.org(), string(requester),
		in.identifier.System, in.identifier.Value, in.authoredOn, now, encodeSentDetails(sent)); err != nil {
		return referred{}, fmt.Errorf("record fhir referral: %w", err)
	}
	if _, err := c.Exec(ctx, `INSERT INTO fhir_tasks (referral_id, updated_at) VALUES (?, ?)`, r.ID, now); err != nil {
		return referred{}, fmt.Errorf("record task: %w", err)
	}
	res := referred{personMatched: matched}
	for _, qr := range in.answers {
		var id int64
		if err := c.QueryRow(ctx, `INSERT INTO fhir_questionnaire_responses (referral_id, body, created_at) VALUES (?, ?, ?) RETURNING id`,
			r.ID, string(qr), now).Scan(&id); err != nil {
			return referred{}, fmt.Errorf("record questionnaire response: %w", err)
		}
		res.answerIDs = append(res.answerIDs, id)
	}
	detail := fmt.Sprintf("person=%s answers=%d details_differ=%d", map[bool]string{true: "matched", false: "created"}[matched], len(in.answers), len(sent))
	if err := audit.Record(ctx, c, who.actor(), audit.Event{Action: "fhir.refer", RecordType: "referral",
		RecordID: audit.RecordID(r.ID), Detail: withOrg(who, detail)}); err != nil {
		return referred{}, err
	}
	return s.fill(ctx, c, r.ID, res)
}

// matchPerson finds the person by NHS number and date of birth, never by NHS number alone
// (DESIGN §3.1): a number recorded with another date of birth is a conflict to resolve. Anyone
// else with a close name and the same birthday (say, a self-referral with no NHS number) is
// recorded apart, since nobody can confirm them here, and the triager is warned of them on the
// referral's page, as for a self-referral. A matched person's record is not rewritten: contact
// details sent that differ from it are returned, kept for the triager to check.
func (s *Service) matchPerson(ctx context.Context, c store.Conn, in *intake, sub *referral.Input) (bool, []SentDetail, error) {
	// Without names the search matches on the NHS number alone, and reads whole records only
	// for those: name matches are not wanted here.
	found, err := s.people.FindIn(ctx, c, person.Query{NHSNumber: person.NHSNumber(in.nhsNumber), DateOfBirth: in.patient.BirthDate})
	if err != nil {
		return false, nil, err
	}
	for _, m := range found {
		if string(m.Person.NHSNumber) != in.nhsNumber {
			continue
		}
		if m.Person.DateOfBirth != in.patient.BirthDate {
			return false, nil, conflict("conflict", in.paths["date_of_birth"],
				"This NHS number is recorded here with a different date of birth: check both, and contact the service if they are right")
		}
		sub.ExistingPersonID = m.Person.ID
		return true, in.sentDetails(m.Person, s.now()), nil
	}
	sub.NotADuplicate = true
	return false, nil, nil
}

func referralByIdentifier(ctx context.Context, c store.Conn, org int64, id Identifier) (int64, bool, error) {
	var rid int64
	// identifier_value <> '' lets the query use the partial unique index.
	err := c.QueryRow(ctx, `SELECT referral_id FROM fhir_referrals WHERE requester_org_id = ? AND identifier_system = ?
		AND identifier_value = ? AND identifier_value <> ''`, org, id.System, id.Value).Scan(&rid)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("find service request by identifier: %w", err)
	}
	return rid, true, nil
}

// found answers a conditional create with the ServiceRequest that exists.
func (s *Service) found(ctx context.Context, c store.Conn, referralID int64) (referred, error) {
	res := referred{existing: true, personMatched: true}
	rows, err := c.Query(ctx, `SELECT id FROM fhir_questionnaire_responses WHERE referral_id = ? ORDER BY id`, referralID)
	if err != nil {
		return referred{}, fmt.Errorf("read questionnaire responses: %w", err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return referred{}, err
		}
		res.answerIDs = append(res.answerIDs, id)
	}
	rows.Close()
	return s.fill(ctx, c, referralID, res)
}

// fill reads back the referral and its person's version, for the response.
func (s *Service) fill(ctx context.Context, c store.Conn, referralID int64, res referred) (referred, error) {
	var err error
	if res.row, err = getReferralRow(ctx, c, referralID); err != nil {
		return referred{}, err
	}
	err = c.QueryRow(ctx, `SELECT version, updated_at FROM people WHERE id = ?`, res.row.PersonID).Scan(&res.personVersion, &res.personUpdated)
	if err != nil {
		return referred{}, fmt.Errorf("read person version: %w", err)
	}
	return res, nil
}

// replay finds the answer first given to an idempotency key. The same key with a different
// request is refused: it would otherwise hide a second referral behind the first.
func replay(ctx context.Context, c store.Conn, who Caller, key, hash string) (Reply, bool, error) {
	var stored string
	var r Reply
	var body string
	err := c.QueryRow(ctx, `SELECT request_hash, status, body FROM fhir_idempotency WHERE client_id = ? AND idem_key = ?`,
		who.Client.ID, key).Scan(&stored, &r.Status, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return Reply{}, false, nil
	}
	if err != nil {
		return Reply{}, false, fmt.Errorf("read idempotency key: %w", err)
	}
	if stored != hash {
		return Reply{}, true, unprocessable("business-rule", "", "This Idempotency-Key was used for a different request: use a new key for a new request")
	}
	r.Body = []byte(body)
	return r, true, nil
}

func remember(ctx context.Context, c store.Conn, who Caller, key, hash string, r Reply) error {
	_, err := c.Exec(ctx, `INSERT INTO fhir_idempotency (client_id, idem_key, request_hash, status, location, body, created_at)
		VALUES (?, ?, ?, ?, '', ?, ?)`, who.Client.ID, key, hash, r.Status, string(r.Body), store.Now())
	if err != nil {
		return fmt.Errorf("remember idempotency key: %w", err)
	}
	return nil
}

// transactionResponse answers each entry in order, then (when the sender sent no Task) the
// Task Linkwell made, so that the sender can follow it.
func transactionResponse(in *intake, res referred, k ids, now time.Time) Bundle {
	x := res.row
	created := func(ok bool) string {
		if ok {
			return "201 Created"
		}
		return "200 OK"
	}
	history := func(kd kind, id, v int64) string { return fmt.Sprintf("%s/_history/%d", k.ref(kd, id), v) }
	taskResp := &EntryResponse{Status: created(!res.existing), Location: history(kindTask, x.ID, x.taskVersion()),
		Etag: etag(x.taskVersion()), LastModified: instant(x.taskUpdated())}
	out := Bundle{ResourceType: "Bundle", ID: newUUID(), Type: "transaction-response", Timestamp: instant(now)}
	answer := 0
	for i, e := range in.entries {
		var r *EntryResponse
		switch i {
		case in.patientAt:
			r = &EntryResponse{Status: created(!res.personMatched), Location: history(kindPatient, x.PersonID, res.personVersion),
				Etag: etag(res.personVersion), LastModified: instant(res.personUpdated)}
		case in.requestAt:
			r = &EntryResponse{Status: created(!res.existing), Location: history(kindServiceRequest, x.ID, x.requestVersion()),
				Etag: etag(x.requestVersion()), LastModified: instant(x.requestUpdated())}
		case in.taskAt:
			r = taskResp
		default:
			r = &EntryResponse{Status: created(!res.existing)}
			if answer < len(in.answersAt) && in.answersAt[answer] == i && answer < len(res.answerIDs) {
				r.Location = history(kindQuestionnaireResponse, res.answerIDs[answer], 1)
				answer++
			}
		}
		out.Entry = append(out.Entry, BundleEntry{FullURL: e.FullURL, Response: r})
	}
	if in.taskAt < 0 {
		out.Entry = append(out.Entry, BundleEntry{FullURL: "urn:uuid:" + newUUID(), Response: taskResp})
	}
	return out
}

// KeepReplies is how long an idempotency key's first answer is kept for retries.
const KeepReplies = 7 * 24 * time.Hour

// PurgeReplies forgets the answers to idempotency keys older than KeepReplies, returning how
// many went: a retry after that is a new request.
func (s *Service) PurgeReplies(ctx context.Context) (int64, error) {
	n, err := s.db.Exec(ctx, `DELETE FROM fhir_idempotency WHERE created_at < ?`, store.Now().Add(-KeepReplies))
	return n, apperr.Wrap("purge idempotency keys", err)
}
