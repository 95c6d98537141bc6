// Package audit keeps Linkwell's append-only, tamper-evident audit log. Every entry carries the
// SHA-256 hash of the one before it, so an edited, inserted or deleted row breaks the chain.
package audit

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"github.com/linkwell/linkwell/internal/store"
)

// Actor is who did something and from where. UserID is zero for the system and the command line.
type Actor struct {
	UserID  int64
	Label   string
	Address string
}

// System is the actor for work Linkwell does on its own account.
var System = Actor{Label: "system", Address: "local"}

// CommandLine is the actor for the linkwell command run by an operator.
var CommandLine = Actor{Label: "command line", Address: "local"}

// Entry is one line of the audit log. Detail holds codes and field names, never free text
// about a person.
type Entry struct {
	Seq        int64
	At         time.Time
	ActorID    int64
	Actor      string
	Action     string
	RecordType string
	RecordID   string
	Address    string
	Reason     string
	Detail     string
	PrevHash   string
	Hash       string
}

// Event is what a caller records; Record fills in the rest.
type Event struct {
	Action     string
	RecordType string
	RecordID   string
	Reason     string
	Detail     string
}

// Record appends an entry in the caller's transaction, so that the change and its audit entry
// commit together or not at all.
func Record(ctx context.Context, c store.Conn, actor Actor, ev Event) error {
	var seq int64
	var prev string
	// Bumping the head row first takes its lock on PostgreSQL, which puts concurrent appends in
	// one line; on SQLite the single writer already does.
	err := c.QueryRow(ctx, `UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash`).Scan(&seq, &prev)
	if err != nil {
		return fmt.Errorf("audit: advance head: %w", err)
	}
	e := Entry{
		Seq: seq, At: store.Now(), ActorID: actor.UserID, Actor: actor.Label,
		Action: ev.Action, RecordType: ev.RecordType, RecordID: ev.RecordID,
		Address: actor.Address, Reason: ev.Reason, Detail: ev.Detail, PrevHash: prev,
	}
	e.Hash = e.computeHash()
	_, err = c.Exec(ctx, `INSERT INTO audit_log
		(seq, at, actor_id, actor, action, record_type, record_id, address, reason, detail, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Seq, e.At, nullID(e.ActorID), e.Actor, e.Action, e.RecordType, e.RecordID,
		e.Address, e.Reason, e.Detail, e.PrevHash, e.Hash)
	if err != nil {
		return fmt.Errorf("audit: insert entry: %w", err)
	}
	if _, err := c.Exec(ctx, `UPDATE audit_head SET hash = ? WHERE id = 1`, e.Hash); err != nil {
		return fmt.Errorf("audit: move head: %w", err)
	}
	return nil
}

// RecordID formats a numeric id for an entry.
func RecordID(id int64) string { return strconv.FormatInt(id, 10) }

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// computeHash hashes the entry's fields, each prefixed by its length so that no two different
// entries can produce the same input.
func (e Entry) computeHash() string {
	h := sha256.New()
	var n [8]byte
	put := func(s string) {
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	put(e.PrevHash)
	put(strconv.FormatInt(e.Seq, 10))
	put(strconv.FormatInt(e.At.UnixMicro(), 10))
	put(strconv.FormatInt(e.ActorID, 10))
	put(e.Actor)
	put(e.Action)
	put(e.RecordType)
	put(e.RecordID)
	put(e.Address)
	put(e.Reason)
	put(e.Detail)
	return hex.EncodeToString(h.Sum(nil))
}

const entryColumns = `seq, at, COALESCE(actor_id, 0), actor, action, record_type, record_id, address, reason, detail, prev_hash, hash`

func scanEntry(rows *sql.Rows) (Entry, error) {
	var e Entry
	err := rows.Scan(&e.Seq, &e.At, &e.ActorID, &e.Actor, &e.Action, &e.RecordType, &e.RecordID,
		&e.Address, &e.Reason, &e.Detail, &e.PrevHash, &e.Hash)
	return e, err
}
