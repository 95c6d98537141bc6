package directory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
)

// StaleAfterMonths is how long a listing may go unchecked before it is flagged as stale.
const StaleAfterMonths = 6

// staleBefore is the time before which a listing last checked is stale at now.
func staleBefore(now time.Time) time.Time { return now.AddDate(0, -StaleAfterMonths, 0) }

// Stale reports whether nobody has checked s within StaleAfterMonths of now.
func (s Service) Stale(now time.Time) bool {
	t, err := time.Parse(time.RFC3339, s.LastVerifiedAt)
	return err != nil || t.Before(staleBefore(now))
}

// Report is a worker's report that a listing is wrong.
type Report struct {
	ID         int64
	Reason     string
	Reporter   string
	ReportedAt time.Time
}

// Reporter is who reports an inaccuracy: the actor for the audit log and their name as it
// should be shown.
type Reporter struct {
	Actor audit.Actor
	Name  string
}

// ReportInaccuracy records that a service's listing is wrong and why, for the service lead.
func (d *Directory) ReportInaccuracy(ctx context.Context, serviceID string, by Reporter, reason string) error {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return apperr.Fields{{Field: "reason", Message: "Enter what is wrong with this listing"}}.Err()
	case utf8.RuneCountInString(reason) > 1000:
		return apperr.Fields{{Field: "reason", Message: "What is wrong must be 1000 characters or fewer"}}.Err()
	}
	err := d.write(ctx, func(c store.Conn) error {
		pk, err := servicePK(ctx, c, serviceID)
		if err != nil {
			return err
		}
		_, err = c.Exec(ctx, `INSERT INTO dir_accuracy_reports (service_pk, reason, reported_by, reporter, reported_at)
			VALUES (?, ?, ?, ?, ?)`, pk, reason, by.Actor.UserID, by.Name, store.Now())
		if err != nil {
			return err
		}
		return audit.Record(ctx, c, by.Actor, audit.Event{Action: "directory.report", RecordType: "directory_service",
			RecordID: serviceID})
	})
	return apperr.Wrap("report inaccuracy", err)
}

// ServicePK returns the key Linkwell's own records use to link to the service with id.
func (d *Directory) ServicePK(ctx context.Context, id string) (int64, error) {
	pk, err := servicePK(ctx, d.db.Reader(), id)
	return pk, apperr.Wrap("find service", err)
}

func servicePK(ctx context.Context, c store.Conn, id string) (int64, error) {
	var pk int64
	err := c.QueryRow(ctx, `SELECT pk FROM dir_services WHERE id = ?`, id).Scan(&pk)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, apperr.New(apperr.NotFound, "No service has the id %s", id)
	}
	if err != nil {
		return 0, fmt.Errorf("find service: %w", err)
	}
	return pk, nil
}

// QueueItem is a listing that needs checking: stale, or reported as wrong, or both.
type QueueItem struct {
	Service Service // one-to-one fields only
	Version string  // the listing's version, to mark it checked
	Stale   bool
	Reports []Report // open reports, oldest first
}

// FreshnessQueue returns a page of the listings a service lead should check at now: those not
// verified for StaleAfterMonths and those with open reports, the reported first, then the
// longest unchecked.
func (d *Directory) FreshnessQueue(ctx context.Context, now time.Time, p Page) (Results[QueueItem], error) {
	p = p.normal()
	res := Results[QueueItem]{Page: p}
	const where = ` WHERE s.last_verified_at IS NULL OR s.last_verified_at < ? OR r.open > 0`
	const from = ` FROM dir_services s LEFT JOIN (SELECT service_pk, COUNT(*) AS open FROM dir_accuracy_reports
		WHERE resolved_at IS NULL GROUP BY service_pk) r ON r.service_pk = s.pk`
	cutoff := staleBefore(now).UTC()
	err := d.db.ReadTx(ctx, func(c store.Conn) error {
		if err := c.QueryRow(ctx, `SELECT COUNT(*)`+from+where, cutoff).Scan(&res.Total); err != nil {
			return fmt.Errorf("count queue: %w", err)
		}
		rows, err := c.Query(ctx, `SELECT rec.record, s.hash`+from+` JOIN dir_service_records rec ON rec.service_pk = s.pk`+where+
			` ORDER BY COALESCE(r.open, 0) DESC, s.last_verified_at IS NOT NULL, s.last_verified_at, s.name, s.pk LIMIT ? OFFSET ?`,
			cutoff, p.Size, p.offset())
		if err != nil {
			return fmt.Errorf("read queue: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var record string
			var item QueueItem
			if err := rows.Scan(&record, &item.Version); err != nil {
				return fmt.Errorf("read queue: %w", err)
			}
			s, err := decodeService(record)
			if err != nil {
				return err
			}
			item.Service, item.Stale = s.summary(), s.Stale(now)
			res.Items = append(res.Items, item)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read queue: %w", err)
		}
		rows.Close()
		for i := range res.Items {
			if res.Items[i].Reports, err = openReports(ctx, c, res.Items[i].Service.ID); err != nil {
				return err
			}
		}
		return nil
	})
	return res, apperr.Wrap("freshness queue", err)
}

// Reports returns the open reports on a service, oldest first.
func (d *Directory) Reports(ctx context.Context, serviceID string) ([]Report, error) {
	out, err := openReports(ctx, d.db.Reader(), serviceID)
	return out, apperr.Wrap("reports", err)
}

func openReports(ctx context.Context, c store.Conn, serviceID string) ([]Report, error) {
	rows, err := c.Query(ctx, `SELECT r.pk, r.reason, r.reporter, r.reported_at FROM dir_accuracy_reports r
		JOIN dir_services s ON s.pk = r.service_pk WHERE s.id = ? AND r.resolved_at IS NULL ORDER BY r.pk`, serviceID)
	if err != nil {
		return nil, fmt.Errorf("read reports: %w", err)
	}
	defer rows.Close()
	var out []Report
	for rows.Next() {
		var r Report
		if err := rows.Scan(&r.ID, &r.Reason, &r.Reporter, &r.ReportedAt); err != nil {
			return nil, fmt.Errorf("read reports: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Outcome of a report once someone has looked into it.
const (
	ReportFixed    = "fixed"     // the listing was wrong and has been put right
	ReportNoChange = "no_change" // the listing was right after all
)

// ResolveReport closes an open report on a listing with its outcome.
func (d *Directory) ResolveReport(ctx context.Context, by Editor, reportID int64, outcome string) error {
	if outcome != ReportFixed && outcome != ReportNoChange {
		return apperr.Fields{{Field: "outcome", Message: "Select what you found"}}.Err()
	}
	err := d.write(ctx, func(c store.Conn) error {
		var serviceID string
		var resolved sql.NullTime
		err := c.QueryRow(ctx, `SELECT s.id, r.resolved_at FROM dir_accuracy_reports r JOIN dir_services s ON s.pk = r.service_pk
			WHERE r.pk = ?`, reportID).Scan(&serviceID, &resolved)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return apperr.New(apperr.NotFound, "No report was found")
		case err != nil:
			return fmt.Errorf("find report: %w", err)
		case resolved.Valid:
			return apperr.New(apperr.Conflict, "Someone has already resolved this report")
		}
		_, err = c.Exec(ctx, `UPDATE dir_accuracy_reports SET resolved_at = ?, outcome = ?, resolved_by = ? WHERE pk = ? AND resolved_at IS NULL`,
			store.Now(), outcome, nullUser(by.Actor.UserID), reportID)
		if err != nil {
			return fmt.Errorf("resolve report: %w", err)
		}
		return audit.Record(ctx, c, by.Actor, audit.Event{Action: "directory.report_resolve", RecordType: "directory_service",
			RecordID: serviceID, Detail: fmt.Sprintf("report=%d outcome=%s", reportID, outcome)})
	})
	return apperr.Wrap("resolve report", err)
}
