package directory

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
)

// Changing a listing in Linkwell. A community provider keeps its own listings current and a
// service lead checks any listing from the freshness queue. Both change the stored record,
// which the ORUK feed and the practitioners' search read, so a change shows at once.
//
// A listing that a feed also publishes follows one rule: a change made in Linkwell stands
// until the source sends a different record. Re-importing the record the source sent before
// leaves the local change alone; a new record from the source replaces the listing whole,
// local change and all, because the publisher has changed it since. dir_local_edits holds the
// hash of what the source last sent and who last changed the listing in Linkwell.

// Listing is a service as someone changing it sees it.
type Listing struct {
	Service     Service
	Source      string
	Version     string       // the record's hash: a change made against another version is refused
	LocalChange *LocalChange // nil when the listing is as its source last sent it
	Reports     []Report     // open reports that it is wrong, oldest first
}

// LocalChange says who last changed a listing in Linkwell, and when.
type LocalChange struct {
	Editor string
	At     time.Time
}

// Editor is who changes a listing: the actor for the audit log and their name as it should
// be shown, which becomes the listing's x_linkwell_verified_by.
type Editor = Reporter

// Listing reads a service for changing it, with the version a change must name.
func (d *Directory) Listing(ctx context.Context, id string) (Listing, error) {
	var l Listing
	err := d.db.ReadTx(ctx, func(c store.Conn) error {
		var record string
		var editor sql.NullString
		var at sql.NullTime
		err := c.QueryRow(ctx, `SELECT s.source, s.hash, r.record, e.editor, e.edited_at FROM dir_services s
			JOIN dir_service_records r ON r.service_pk = s.pk LEFT JOIN dir_local_edits e ON e.service_pk = s.pk
			WHERE s.id = ?`, id).Scan(&l.Source, &l.Version, &record, &editor, &at)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "No service has the id %s", id)
		}
		if err != nil {
			return fmt.Errorf("read listing: %w", err)
		}
		if editor.Valid {
			l.LocalChange = &LocalChange{Editor: editor.String, At: at.Time}
		}
		if l.Service, err = decodeService(record); err != nil {
			return err
		}
		l.Reports, err = openReports(ctx, c, id)
		return err
	})
	return l, apperr.Wrap("listing", err)
}

// EditListing applies an edit to the listing at version and marks it verified by the editor,
// who has just checked every detail the form shows.
func (d *Directory) EditListing(ctx context.Context, by Editor, id, version string, e ListingEdit) (Service, error) {
	if err := e.Validate(); err != nil {
		return Service{}, err
	}
	return d.change(ctx, by, id, version, "directory.edit", func(s *Service) string {
		changed := e.changedFrom(EditOf(*s))
		e.apply(s)
		return "fields=" + strings.Join(changed, ",")
	})
}

// Verify records that the listing at version is still correct: the editor checked it now.
func (d *Directory) Verify(ctx context.Context, by Editor, id, version string) (Service, error) {
	return d.change(ctx, by, id, version, "directory.verify", func(*Service) string { return "" })
}

var errListingChanged = apperr.New(apperr.Conflict,
	"Someone else changed this listing while you were looking at it. Check what it says now, then try again.")

// change runs fn on the listing at version, stamps it verified by the editor now, and stores
// it as a change made in Linkwell, audited with fn's detail, in one transaction.
func (d *Directory) change(ctx context.Context, by Editor, id, version, action string, fn func(*Service) string) (Service, error) {
	var out Service
	err := d.write(ctx, func(c store.Conn) error {
		// Touching the row first takes its lock on PostgreSQL, so that of two changes made
		// against one version the second finds the version gone.
		res, err := c.Exec(ctx, `UPDATE dir_services SET hash = hash WHERE id = ? AND hash = ?`, id, version)
		if err != nil {
			return fmt.Errorf("lock listing: %w", err)
		}
		var pk int64
		var source, record string
		err = c.QueryRow(ctx, `SELECT s.pk, s.source, r.record FROM dir_services s JOIN dir_service_records r ON r.service_pk = s.pk
			WHERE s.id = ?`, id).Scan(&pk, &source, &record)
		switch n, _ := res.RowsAffected(); {
		case errors.Is(err, sql.ErrNoRows):
			return apperr.New(apperr.NotFound, "No service has the id %s", id)
		case err != nil:
			return fmt.Errorf("read listing: %w", err)
		case n == 0:
			return errListingChanged
		}
		s, err := decodeService(record)
		if err != nil {
			return err
		}
		detail := fn(&s)
		now := store.Now().Truncate(time.Second).Format(time.RFC3339)
		s.LastModified, s.LastVerifiedAt, s.VerifiedBy = now, now, by.Name
		if err := s.Validate(); err != nil {
			return apperr.Wrap("the changed listing does not meet the ORUK 3.0 schemata", err)
		}
		if err := storeLocalChange(ctx, c, source, pk, version, s, by); err != nil {
			return err
		}
		out = s
		return audit.Record(ctx, c, by.Actor, audit.Event{Action: action, RecordType: "directory_service", RecordID: id, Detail: detail})
	})
	return out, apperr.Wrap("change listing", err)
}

// storeLocalChange writes the changed service over the one at pk and notes the change, keeping
// the hash of what the source last sent (prevHash, at the first change since).
func storeLocalChange(ctx context.Context, c store.Conn, source string, pk int64, prevHash string, s Service, by Editor) error {
	w := newWriter(c, source)
	hash, form := hashJSON(s)
	if _, err := w.writeService(ctx, pk, s, hash, form); err != nil {
		return err
	}
	w.keep()
	if err := w.finish(ctx); err != nil {
		return err
	}
	_, err := c.Exec(ctx, `INSERT INTO dir_local_edits (service_pk, feed_hash, edited_by, editor, edited_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (service_pk) DO UPDATE SET edited_by = excluded.edited_by, editor = excluded.editor, edited_at = excluded.edited_at`,
		pk, prevHash, nullUser(by.Actor.UserID), by.Name, store.Now())
	if err != nil {
		return fmt.Errorf("note local change: %w", err)
	}
	return nil
}

// dropLocalChange forgets a change made in Linkwell, when the source has sent a new record.
func dropLocalChange(ctx context.Context, c store.Conn, pk int64) error {
	if _, err := c.Exec(ctx, `DELETE FROM dir_local_edits WHERE service_pk = ?`, pk); err != nil {
		return fmt.Errorf("drop local change: %w", err)
	}
	return nil
}

func nullUser(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// newID returns a random (version 4) UUID for a record Linkwell adds to a listing.
func newID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand panics rather than return an error)
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
