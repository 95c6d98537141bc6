package fhir

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"

	"github.com/linkwell/linkwell/internal/store"
)

// kind is the resource type an id names; it is sealed into the id, so that an id of one type
// never reads as another.
type kind byte

const (
	kindPatient kind = iota + 1
	kindServiceRequest
	kindTask
	kindCommunication
	kindHealthcareService
	kindOrganization
	kindQuestionnaireResponse
	kindConsent
)

var kindNames = map[kind]string{
	kindPatient: "Patient", kindServiceRequest: "ServiceRequest", kindTask: "Task", kindCommunication: "Communication",
	kindHealthcareService: "HealthcareService", kindOrganization: "Organization",
	kindQuestionnaireResponse: "QuestionnaireResponse", kindConsent: "Consent",
}

func (k kind) String() string { return kindNames[k] }

// sealer turns internal ids into FHIR ids and back. A FHIR id is the resource's kind and
// internal id encrypted as one AES block under a key made for this installation, written as a
// UUID: opaque to clients (no counting referrals by ids), needing no table, the same every
// time, and never confusable between kinds. An id that was not made here does not open.
type sealer struct {
	mu    sync.Mutex
	block cipher.Block
}

// load reads the installation's key once, and again after a failure.
func (s *sealer) load(ctx context.Context, db *store.DB) (cipher.Block, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.block != nil {
		return s.block, nil
	}
	var key string
	if err := db.Reader().QueryRow(ctx, `SELECT id_key FROM fhir_keys WHERE id = 1`).Scan(&key); err != nil {
		return nil, fmt.Errorf("read the FHIR id key: %w", err)
	}
	raw, err := hex.DecodeString(key)
	if err != nil || len(raw) != 16 {
		return nil, fmt.Errorf("the FHIR id key is not 16 bytes of hex")
	}
	b, err := aes.NewCipher(raw)
	if err != nil {
		return nil, err
	}
	s.block = b
	return b, nil
}

// ids seals and opens ids with a loaded key.
type ids struct{ block cipher.Block }

// seal makes the FHIR id of an internal id.
func (x ids) seal(k kind, id int64) string {
	var plain, out [16]byte
	plain[0] = byte(k)
	binary.BigEndian.PutUint64(plain[1:9], uint64(id))
	x.block.Encrypt(out[:], plain[:])
	h := hex.EncodeToString(out[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// open reads a FHIR id of kind k back into an internal id, reporting false for anything else.
func (x ids) open(k kind, s string) (int64, bool) {
	raw, err := hex.DecodeString(strings.ReplaceAll(s, "-", ""))
	if err != nil || len(raw) != 16 || len(s) != 36 {
		return 0, false
	}
	var plain [16]byte
	x.block.Decrypt(plain[:], raw)
	for _, b := range plain[9:] {
		if b != 0 {
			return 0, false
		}
	}
	id := int64(binary.BigEndian.Uint64(plain[1:9]))
	if kind(plain[0]) != k || id <= 0 {
		return 0, false
	}
	return id, true
}

// ref is a literal reference to a resource: "Task/<id>".
func (x ids) ref(k kind, id int64) string { return k.String() + "/" + x.seal(k, id) }

// openRef reads a reference "Kind/<id>" (or a bare id) to a resource of kind k.
func (x ids) openRef(k kind, ref string) (int64, bool) {
	if t, id, ok := strings.Cut(ref, "/"); ok {
		if t != k.String() {
			return 0, false
		}
		ref = id
	}
	return x.open(k, ref)
}
