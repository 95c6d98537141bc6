package workforce

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
)

// Settings are a service's supervision and advice standards. Version is zero until a service
// lead first saves them, when the defaults apply.
type Settings struct {
	ServiceID       int64
	SupervisionDays int // the longest gap between supervision sessions
	UrgentMinutes   int // working minutes to answer urgent advice
	RoutineDays     int // working days to answer routine advice
	Version         int64
}

// DefaultSettings are monthly supervision, urgent advice within one working hour and routine
// advice within two working days.
var DefaultSettings = Settings{SupervisionDays: 30, UrgentMinutes: 60, RoutineDays: 2}

// SettingsInput is what saving a service's settings takes, as typed.
type SettingsInput struct {
	SupervisionDays, UrgentMinutes, RoutineDays string
	Version                                     int64
}

func (in SettingsInput) validate() (Settings, error) {
	var errs apperr.Fields
	num := func(field, v, label string, lo, hi int) int {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		switch {
		case strings.TrimSpace(v) == "":
			errs.Add(field, "Enter "+label)
		case err != nil:
			errs.Add(field, strings.ToUpper(label[:1])+label[1:]+" must be a whole number")
		case n < lo || n > hi:
			errs.Add(field, fmt.Sprintf("%s must be between %d and %d", strings.ToUpper(label[:1])+label[1:], lo, hi))
		}
		return n
	}
	out := Settings{SupervisionDays: num("supervision_days", in.SupervisionDays, "the days between supervision sessions", 7, 90),
		UrgentMinutes: num("urgent_minutes", in.UrgentMinutes, "the minutes to answer urgent advice", 15, 480),
		RoutineDays:   num("routine_days", in.RoutineDays, "the working days to answer routine advice", 1, 10)}
	return out, errs.Err()
}

// ServiceSettings returns a service's settings, or the defaults.
func (s *Service) ServiceSettings(ctx context.Context, serviceID int64) (Settings, error) {
	out, err := serviceSettings(ctx, s.db.Reader(), serviceID)
	return out, apperr.Wrap("service settings", err)
}

func serviceSettings(ctx context.Context, c store.Conn, serviceID int64) (Settings, error) {
	out := DefaultSettings
	out.ServiceID = serviceID
	err := c.QueryRow(ctx, `SELECT supervision_days, urgent_minutes, routine_days, version FROM service_workforce_settings WHERE service_id = ?`,
		serviceID).Scan(&out.SupervisionDays, &out.UrgentMinutes, &out.RoutineDays, &out.Version)
	return out, ignoreNoRows(err)
}

// SaveServiceSettings records a service's settings for a service lead of the organisation that
// runs it, refusing an edit made on a version that is no longer current.
func (s *Service) SaveServiceSettings(ctx context.Context, actor audit.Actor, by account.User, serviceID int64, in SettingsInput) error {
	set, err := in.validate()
	if err != nil {
		return err
	}
	err = s.db.Tx(ctx, func(c store.Conn) error {
		var orgID int64
		if err := c.QueryRow(ctx, `SELECT organisation_id FROM services WHERE id = ?`, serviceID).Scan(&orgID); err != nil {
			return orMissing(ignoreNoRows(err), apperr.New(apperr.NotFound, "No service was found"))
		}
		if !mayManage(by, orgID) {
			return apperr.New(apperr.Forbidden, "Only the service leads of the organisation that runs this service can change its settings")
		}
		cur, err := serviceSettings(ctx, c, serviceID)
		if err != nil {
			return err
		}
		if cur.Version != in.Version {
			return apperr.New(apperr.Conflict, "Someone else changed these settings while you were working on them. Check what they did, then try again.")
		}
		if cur.Version == 0 {
			_, err = c.Exec(ctx, `INSERT INTO service_workforce_settings (service_id, supervision_days, urgent_minutes, routine_days, updated_at)
				VALUES (?, ?, ?, ?, ?)`, serviceID, set.SupervisionDays, set.UrgentMinutes, set.RoutineDays, store.Now())
		} else {
			_, err = c.Exec(ctx, `UPDATE service_workforce_settings SET supervision_days = ?, urgent_minutes = ?, routine_days = ?, updated_at = ?,
				version = version + 1 WHERE service_id = ? AND version = ?`, set.SupervisionDays, set.UrgentMinutes, set.RoutineDays, store.Now(), serviceID, cur.Version)
		}
		if store.IsUniqueViolation(err) {
			return apperr.New(apperr.Conflict, "Someone else saved these settings at the same moment. Check what they did, then try again.")
		}
		if err != nil {
			return fmt.Errorf("save settings: %w", err)
		}
		return audit.Record(ctx, c, actor, audit.Event{Action: "workforce.settings", RecordType: "service", RecordID: audit.RecordID(serviceID),
			Detail: fmt.Sprintf("supervision_days=%d urgent_minutes=%d routine_days=%d", set.SupervisionDays, set.UrgentMinutes, set.RoutineDays)})
	})
	return apperr.Wrap("save settings", err)
}
