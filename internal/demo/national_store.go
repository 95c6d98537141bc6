package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/reports"
	"github.com/linkwell/linkwell/internal/store"
)

// The generator writes in bulk, straight to the tables, because going through the services
// one referral at a time would take the best part of an hour for the national dataset.

// insertMany inserts rows of cols values each with one statement, returning the new ids in
// order.
func insertMany(ctx context.Context, c store.Conn, table string, cols []string, rows [][]any) ([]int64, error) {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
	args := make([]any, 0, len(rows)*len(cols))
	for i, r := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
		args = append(args, r...)
	}
	b.WriteString(" RETURNING id")
	res, err := c.Query(ctx, b.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("insert into %s: %w", table, err)
	}
	defer res.Close()
	ids := make([]int64, 0, len(rows))
	for res.Next() {
		var id int64
		if err := res.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	if len(ids) != len(rows) {
		return nil, fmt.Errorf("insert into %s: %d ids for %d rows", table, len(ids), len(rows))
	}
	return ids, res.Err()
}

func (g *generator) network(ctx context.Context) error {
	return g.db.Tx(ctx, func(c store.Conn) error {
		for p := range g.sc.PCNs {
			ids, err := insertMany(ctx, c, "organisations", []string{"name", "type", "ods_code", "created_at", "updated_at"},
				[][]any{{fmt.Sprintf("Generated PCN %03d", p), "pcn", fmt.Sprintf("U8%04d", p), g.now, g.now}})
			if err != nil {
				return err
			}
			org := ids[0]
			team, err := insertMany(ctx, c, "teams", []string{"organisation_id", "name", "created_at"}, [][]any{{org, "Personalised Care Team", g.now}})
			if err != nil {
				return err
			}
			svc, err := insertMany(ctx, c, "services", []string{"organisation_id", "team_id", "name", "description", "inclusion_criteria",
				"exclusion_criteria", "response_days", "accepts_self_referral", "created_at", "updated_at"},
				[][]any{{org, team[0], "Social prescribing", "Generated service", "Adults", "", 5, true, g.now, g.now}})
			if err != nil {
				return err
			}
			g.services = append(g.services, svc[0])
			ots, err := g.workers(ctx, c, org, team[0], p, "ot", "occupational_therapist", g.sc.OTsPerPCN)
			if err != nil {
				return err
			}
			lws, err := g.workers(ctx, c, org, team[0], p, "lw", "link_worker", g.sc.LWsPerPCN)
			if err != nil {
				return err
			}
			g.ots, g.lws = append(g.ots, ots), append(g.lws, lws)
		}
		return nil
	})
}

// workers adds n users of one role to a PCN's team; their email is ROLE-PCN-N@generated.linkwell.
func (g *generator) workers(ctx context.Context, c store.Conn, org, team int64, pcn int, prefix, role string, n int) ([]int64, error) {
	var rows [][]any
	for i := range n {
		rows = append(rows, []any{fmt.Sprintf("%s-%03d-%d@generated.linkwell", prefix, pcn, i), fmt.Sprintf("Generated %s %d.%d", prefix, pcn, i), g.hash, org, g.now, g.now})
	}
	ids, err := insertMany(ctx, c, "users", []string{"email", "name", "password_hash", "organisation_id", "created_at", "updated_at"}, rows)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if _, err := c.Exec(ctx, `INSERT INTO user_roles (user_id, role) VALUES (?, ?)`, id, role); err != nil {
			return nil, err
		}
		if _, err := c.Exec(ctx, `INSERT INTO team_members (team_id, user_id) VALUES (?, ?)`, team, id); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

const personBatch = 400

func (g *generator) people(ctx context.Context) error {
	cols := []string{"nhs_number", "given_name", "family_name", "date_of_birth", "sex", "gender", "ethnic_category", "postcode",
		"address", "phone", "email", "contact_methods", "preferred_language", "accessibility_needs", "practice_ods", "carer_status",
		"created_at", "updated_at"}
	g.personIDs = make([]int64, 0, g.sc.People)
	return g.batches(ctx, g.sc.People, personBatch, func(c store.Conn, from, to int) error {
		rows := make([][]any, 0, to-from)
		for i := from; i < to; i++ {
			dob := time.Date(1930+g.rng.IntN(75), time.Month(1+g.rng.IntN(12)), 1+g.rng.IntN(28), 0, 0, 0, 0, time.UTC)
			rows = append(rows, []any{demoNHSNumber(100000 + i), givenNames[g.rng.IntN(len(givenNames))],
				familyNames[g.rng.IntN(len(familyNames))], dob.Format("2006-01-02"), []string{"female", "male"}[i%2], "",
				string(person.EthnicCategories[i%16]), postcodes[i%len(postcodes)], "", "07700 900000", "", "phone", "English", "",
				"Y90001", "not_known", g.now, g.now})
		}
		ids, err := insertMany(ctx, c, "people", cols, rows)
		g.personIDs = append(g.personIDs, ids...)
		return err
	})
}

// referralRow is one generated referral with what follows from it.
type referralRow struct {
	person, service int64
	pcn             int
	status          string
	created         time.Time
}

func (g *generator) referrals(ctx context.Context) error {
	n := g.sc.People * 3 / 2
	span := 3 * 365 * 24 * time.Hour
	return g.batches(ctx, n, personBatch, func(c store.Conn, from, to int) error {
		var refs []referralRow
		for i := from; i < to; i++ {
			pcn := g.rng.IntN(len(g.services))
			status := []string{"accepted", "accepted", "accepted", "accepted", "accepted", "accepted", "accepted",
				"rejected", "cancelled", "requested"}[g.rng.IntN(10)]
			created := g.now.Add(-time.Duration(g.rng.Int64N(int64(span))))
			if status == "requested" {
				created = g.now.Add(-time.Duration(g.rng.Int64N(int64(14 * 24 * time.Hour))))
			}
			refs = append(refs, referralRow{person: g.personIDs[i%len(g.personIDs)], service: g.services[pcn], pcn: pcn, status: status, created: created})
		}
		return reports.LoadInBulk(ctx, c, func() ([]int64, error) {
			ids, err := g.insertReferrals(ctx, c, refs)
			if err != nil {
				return nil, err
			}
			return ids, g.openCases(ctx, c, refs, ids)
		})
	})
}

func (g *generator) insertReferrals(ctx context.Context, c store.Conn, refs []referralRow) ([]int64, error) {
	rows := make([][]any, len(refs))
	for i, r := range refs {
		rows[i] = []any{r.person, r.service, "gp", "Generated GP", "", needSets[i%len(needSets)][0], "", "routine", "", true, "yes",
			r.status, r.created.Add(7 * 24 * time.Hour), r.created, r.created}
	}
	return insertMany(ctx, c, "referrals", []string{"person_id", "service_id", "source", "referrer_name", "referrer_contact", "needs",
		"details", "urgency", "known_risks", "consent_given", "criteria_met", "status", "due_by", "created_at", "updated_at"}, rows)
}

// openCases opens a case for every accepted referral: those from the last four months are
// still active, older ones closed; a third are joint, with an OT as well as the link worker.
func (g *generator) openCases(ctx context.Context, c store.Conn, refs []referralRow, ids []int64) error {
	var rows [][]any
	var leads []int64
	var joint []int64
	for i, r := range refs {
		if r.status != "accepted" {
			continue
		}
		status, pathway := "closed", []string{"link_worker_led", "link_worker_led", "joint"}[i%3]
		var closed any = r.created.Add(90 * 24 * time.Hour)
		if g.now.Sub(r.created) < 120*24*time.Hour {
			status, closed = "active", nil
		}
		lw := g.lws[r.pcn][g.rng.IntN(len(g.lws[r.pcn]))]
		ot := g.ots[r.pcn][g.rng.IntN(len(g.ots[r.pcn]))]
		rows = append(rows, []any{r.person, ids[i], r.service, pathway, "targeted", status, r.created,
			r.created.Add(28 * 24 * time.Hour).Format("2006-01-02"), closed, r.created})
		leads = append(leads, lw)
		if pathway == "joint" {
			joint = append(joint, ot)
		} else {
			joint = append(joint, 0)
		}
	}
	if len(rows) == 0 {
		return nil
	}
	caseIDs, err := insertMany(ctx, c, "cases", []string{"person_id", "referral_id", "service_id", "pathway", "tier", "status",
		"opened_at", "next_review_on", "closed_at", "updated_at"}, rows)
	if err != nil {
		return err
	}
	var workers [][]any
	for i, id := range caseIDs {
		from := rows[i][6].(time.Time).Format("2006-01-02")
		to := "" // the team of a closed case ended with it
		if closed, ok := rows[i][8].(time.Time); ok {
			to = closed.Format("2006-01-02")
		}
		workers = append(workers, []any{id, leads[i], "link_worker", true, from, to})
		if joint[i] != 0 {
			workers = append(workers, []any{id, joint[i], "occupational_therapist", false, from, to})
		}
	}
	_, err = insertMany(ctx, c, "case_workers", []string{"case_id", "user_id", "role", "is_lead", "from_on", "to_on"}, workers)
	return err
}

func recordGeneration(ctx context.Context, db *store.DB, sc Scale) error {
	return db.Tx(ctx, func(c store.Conn) error {
		return audit.Record(ctx, c, audit.CommandLine, audit.Event{Action: "demo.generate", RecordType: "dataset",
			Detail: fmt.Sprintf("people=%d pcns=%d", sc.People, sc.PCNs)})
	})
}
