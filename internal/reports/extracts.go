package reports

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
)

// extractRow is one referral with what both extracts draw on.
type extractRow struct {
	nhs, dob, sex, ethnic, postcode, practice, lsoa string
	decile                                          sql.NullInt64
	referred                                        time.Time
	source, needs, status, pathway, tier, closure   string
	opened, closed                                  sql.NullTime
	contacts, connections, attended                 int
	base, follow                                    map[string]int
}

// extractRows reads every referral made in the filter's period, with its case, contacts,
// connections and ONS4 answers, and the person's deprivation where their postcode is known.
func extractRows(ctx context.Context, c store.Conn, f Filter) ([]extractRow, error) {
	where, args := f.scope("r.created_at")
	rows, err := c.Query(ctx, `SELECT COALESCE(p.nhs_number, ''), p.date_of_birth, p.sex, p.ethnic_category, p.postcode, p.practice_ods,
		COALESCE(pc.lsoa21, ''), pc.imd_decile, r.created_at, r.source, r.needs, r.status,
		COALESCE(k.pathway, ''), COALESCE(k.tier, ''), COALESCE(k.closure_reason, ''), k.opened_at, k.closed_at,
		(SELECT COUNT(*) FROM case_contacts cc WHERE cc.case_id = k.id AND cc.failed = ?),
		(SELECT COUNT(*) FROM connections cn WHERE cn.case_id = k.id),
		(SELECT COUNT(*) FROM connections cn WHERE cn.case_id = k.id AND cn.status IN ('first_attended', 'attending', 'completed')),
		COALESCE(k.id, 0)
		FROM referrals r JOIN services s ON s.id = r.service_id JOIN people p ON p.id = r.person_id
		LEFT JOIN cases k ON k.referral_id = r.id LEFT JOIN postcodes pc ON pc.postcode = p.postcode
		WHERE `+where+` ORDER BY r.created_at, r.id`, append([]any{false}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("extract: %w", err)
	}
	defer rows.Close()
	var out []extractRow
	var caseIDs []int64
	for rows.Next() {
		var e extractRow
		var caseID int64
		if err := rows.Scan(&e.nhs, &e.dob, &e.sex, &e.ethnic, &e.postcode, &e.practice, &e.lsoa, &e.decile, &e.referred,
			&e.source, &e.needs, &e.status, &e.pathway, &e.tier, &e.closure, &e.opened, &e.closed,
			&e.contacts, &e.connections, &e.attended, &caseID); err != nil {
			return nil, fmt.Errorf("extract: %w", err)
		}
		out = append(out, e)
		caseIDs = append(caseIDs, caseID)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, fillONS4(ctx, c, out, caseIDs)
}

// fillONS4 adds each row's ONS4 answers at the baseline and the follow-up, in batches.
func fillONS4(ctx context.Context, c store.Conn, out []extractRow, caseIDs []int64) error {
	at := map[int64]int{}
	for i, id := range caseIDs {
		if id != 0 {
			at[id] = i
		}
	}
	ids := make([]int64, 0, len(at))
	for id := range at {
		ids = append(ids, id)
	}
	for start := 0; start < len(ids); start += 500 {
		batch := ids[start:min(start+500, len(ids))]
		args := make([]any, len(batch))
		for i, id := range batch {
			args[i] = id
		}
		rows, err := c.Query(ctx, `SELECT r.case_id, r.timepoint, a.item_code, a.value FROM outcome_responses r
			JOIN outcome_answers a ON a.response_id = r.id
			WHERE r.instrument_code = 'ons4' AND r.timepoint IN ('baseline', 'follow_up') AND r.case_id IN `+store.In(len(batch)), args...)
		if err != nil {
			return fmt.Errorf("extract measures: %w", err)
		}
		for rows.Next() {
			var id int64
			var tp, item string
			var v int
			if err := rows.Scan(&id, &tp, &item, &v); err != nil {
				rows.Close()
				return err
			}
			e := &out[at[id]]
			m := &e.base
			if tp == "follow_up" {
				m = &e.follow
			}
			if *m == nil {
				*m = map[string]int{}
			}
			(*m)[item] = v
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

func ons4Header(prefix string) []string {
	var out []string
	for _, it := range ons4.Items {
		out = append(out, prefix+"_"+it.Code)
	}
	return out
}

func ons4Cells(m map[string]int) []string {
	var out []string
	for _, it := range ons4.Items {
		if v, ok := m[it.Code]; ok {
			out = append(out, strconv.Itoa(v))
		} else {
			out = append(out, "")
		}
	}
	return out
}

func dayOrEmpty(t sql.NullTime) string {
	if !t.Valid {
		return ""
	}
	return t.Time.UTC().Format("2006-01-02")
}

// PRSB is the PRSB Social Prescribing Information Standard's minimum dataset for referrals
// made in a period: demographics, needs and concerns, support offered and outcomes. It is
// identifiable, so only service leads may take it, and every taking is audited with why.
func (s *Service) PRSB(ctx context.Context, actor audit.Actor, f Filter, why string) (Grid, error) {
	g := Grid{Name: "PRSB social prescribing minimum dataset",
		Header: append(append([]string{"nhs_number", "date_of_birth", "sex", "ethnic_category", "postcode", "gp_practice_ods",
			"referral_date", "referral_source", "needs_and_concerns", "referral_status", "support_start_date", "pathway", "tier",
			"contacts", "connections_made", "connections_attended", "support_end_date", "end_reason"},
			ons4Header("ons4_baseline")...), ons4Header("ons4_follow_up")...)}
	err := s.extract(ctx, actor, f, "prsb", why, func(rows []extractRow) {
		for _, e := range rows {
			row := []string{e.nhs, e.dob, e.sex, e.ethnic, e.postcode, e.practice, e.referred.UTC().Format("2006-01-02"), e.source,
				strings.ReplaceAll(e.needs, ",", ";"), e.status, dayOrEmpty(e.opened), e.pathway, e.tier,
				strconv.Itoa(e.contacts), strconv.Itoa(e.connections), strconv.Itoa(e.attended), dayOrEmpty(e.closed), e.closure}
			g.Rows = append(g.Rows, append(append(row, ons4Cells(e.base)...), ons4Cells(e.follow)...))
		}
	})
	return g, err
}

// Research is the pseudonymised research extract: the NHS number replaced by a keyed hash
// (HMAC-SHA-256 with this deployment's own secret), an age band instead of the date of
// birth, the LSOA and deprivation decile instead of the postcode, and no free text.
func (s *Service) Research(ctx context.Context, actor audit.Actor, f Filter, why string) (Grid, error) {
	g := Grid{Name: "Pseudonymised research extract",
		Header: append(append([]string{"pseudonym", "age_band", "sex", "ethnic_category", "lsoa21", "imd_decile", "referral_month",
			"referral_source", "needs_and_concerns", "referral_status", "pathway", "tier", "contacts", "connections_made",
			"connections_attended", "days_supported", "end_reason"}, ons4Header("ons4_baseline")...), ons4Header("ons4_follow_up")...)}
	key, err := s.pseudonymKey(ctx)
	if err != nil {
		return g, apperr.Wrap("research extract", err)
	}
	err = s.extract(ctx, actor, f, "research", why, func(rows []extractRow) {
		for _, e := range rows {
			decile := ""
			if e.decile.Valid {
				decile = strconv.FormatInt(e.decile.Int64, 10)
			}
			days := ""
			if e.opened.Valid && e.closed.Valid {
				days = strconv.Itoa(int(e.closed.Time.Sub(e.opened.Time).Hours() / 24))
			}
			row := []string{Pseudonym(key, e.nhs), AgeBand(e.dob, e.referred), e.sex, e.ethnic, e.lsoa, decile,
				e.referred.UTC().Format("2006-01"), e.source, strings.ReplaceAll(e.needs, ",", ";"), e.status, e.pathway, e.tier,
				strconv.Itoa(e.contacts), strconv.Itoa(e.connections), strconv.Itoa(e.attended), days, e.closure}
			g.Rows = append(g.Rows, append(append(row, ons4Cells(e.base)...), ons4Cells(e.follow)...))
		}
	})
	return g, err
}

// extract audits the taking of an extract with who, what and why, then reads its rows in one
// snapshot. The audit entry commits first: an extract is never taken unrecorded.
func (s *Service) extract(ctx context.Context, actor audit.Actor, f Filter, kind, why string, fill func([]extractRow)) error {
	if err := s.audit(ctx, actor, "report.extract", kind, f, why); err != nil {
		return err
	}
	return apperr.Wrap("extract", s.db.ReadTx(ctx, func(c store.Conn) error {
		rows, err := extractRows(ctx, c, f)
		fill(rows)
		return err
	}))
}

// AuditExport records that someone took an aggregate export, with why.
func (s *Service) AuditExport(ctx context.Context, actor audit.Actor, what string, f Filter, why string) error {
	return s.audit(ctx, actor, "report.export", what, f, why)
}

var errNoReason = apperr.Fields{{Field: "reason", Message: "Enter why you need this export"}}.Err()

func (s *Service) audit(ctx context.Context, actor audit.Actor, action, what string, f Filter, why string) error {
	why = strings.TrimSpace(why)
	if why == "" {
		return errNoReason
	}
	if len(why) > 500 {
		return apperr.Fields{{Field: "reason", Message: "Reason must be 500 characters or fewer"}}.Err()
	}
	detail := fmt.Sprintf("what=%s from=%s to=%s organisation=%d team=%d practice=%s source=%s pathway=%s", what,
		f.From.Format("2006-01-02"), f.To.Format("2006-01-02"), f.OrganisationID, f.TeamID, f.Practice, f.Source, f.Pathway)
	return apperr.Wrap("audit export", s.db.Tx(ctx, func(c store.Conn) error {
		return audit.Record(ctx, c, actor, audit.Event{Action: action, RecordType: "report", RecordID: what, Reason: why, Detail: detail})
	}))
}

// pseudonymKey is the configured research key or, when the deployment has none, a random key
// kept in the database: pseudonyms then stay stable, but anyone with a copy of the database
// could re-identify an extract, which a key kept in the deployment's configuration prevents.
func (s *Service) pseudonymKey(ctx context.Context) ([]byte, error) {
	if len(s.researchKey) > 0 {
		return s.researchKey, nil
	}
	var key []byte
	err := s.db.Tx(ctx, func(c store.Conn) error {
		var err error
		key, err = secret(ctx, c, "research_pseudonym")
		return err
	})
	return key, err
}

// secret returns a deployment's named secret, making it on first use.
func secret(ctx context.Context, c store.Conn, name string) ([]byte, error) {
	var v string
	err := c.QueryRow(ctx, `SELECT value FROM report_secrets WHERE name = ?`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		b := make([]byte, 32)
		rand.Read(b)
		v = hex.EncodeToString(b)
		_, err = c.Exec(ctx, `INSERT INTO report_secrets (name, value, created_at) VALUES (?, ?, ?)`, name, v, store.Now())
	}
	if err != nil {
		return nil, fmt.Errorf("secret %s: %w", name, err)
	}
	return hex.DecodeString(v)
}

// Pseudonym is the keyed hash of an NHS number, or empty when there is none.
func Pseudonym(key []byte, nhs string) string {
	if nhs == "" {
		return ""
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(nhs))
	return hex.EncodeToString(m.Sum(nil))
}

// AgeBand is a person's age at a moment in ten-year bands (18-24, 25-34, ... 85+), from a
// date of birth written YYYY-MM-DD; empty when it cannot be read.
func AgeBand(dob string, at time.Time) string {
	born, err := time.Parse("2006-01-02", dob)
	if err != nil {
		return ""
	}
	age := at.Year() - born.Year()
	if at.Format("01-02") < born.Format("01-02") {
		age--
	}
	return ageBand(age)
}

// ageBands are the bands ageBand gives, youngest first, then one for an age not known.
var ageBands = []string{"under 18", "18-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75-84", "85+", "Not known"}

// ageBand is the band of an age in whole years; a negative age is not known.
func ageBand(age int) string {
	switch {
	case age < 0:
		return "Not known"
	case age < 18:
		return "under 18"
	case age < 25:
		return "18-24"
	case age >= 85:
		return "85+"
	}
	lo := age / 10 * 10
	if age%10 < 5 {
		lo -= 5
	} else {
		lo += 5
	}
	return fmt.Sprintf("%d-%d", lo, lo+9)
}
