package workforce

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
)

// CompetenceEdit is one change to a framework made in the web interface: adding a competence
// (Original empty), changing the one whose code is Original, or removing it.
type CompetenceEdit struct {
	BaseID    int64 // the framework version the change was made on
	Original  string
	Remove    bool
	Area      string
	Code      string
	Name      string
	Desc      string
	TaskTypes []string
}

// EditFramework applies one change to the framework that applies to the service lead's
// organisation and stores the result as the organisation's next version, as loading a file
// would: earlier versions and the sign-offs given under them stay as they were. A change made
// on a version that is no longer the latest is refused as a conflict.
func (s *Service) EditFramework(ctx context.Context, actor audit.Actor, by account.User, in CompetenceEdit) (Framework, error) {
	if !by.Has(account.ServiceLead) || by.OrganisationID == 0 {
		return Framework{}, apperr.New(apperr.Forbidden, "Only a service lead can change their organisation's competence framework")
	}
	err := s.db.Tx(ctx, func(c store.Conn) error {
		cur, err := frameworkFor(ctx, c, by.OrganisationID)
		if err != nil {
			return err
		}
		if cur.ID != in.BaseID {
			return apperr.New(apperr.Conflict, "Someone else changed the framework while you were working on it. Check the latest version, then make your change again.")
		}
		names, typeIDs, err := taskTypes(ctx, c)
		if err != nil {
			return err
		}
		comps, change, err := applyEdit(cur.Competences, in, typesByLower(names))
		if err != nil {
			return err
		}
		name := cur.Name
		if cur.OrganisationID == 0 {
			name = "Local framework based on " + cur.Name
		}
		id, version, err := insertFramework(ctx, c, by, name, comps, typeIDs)
		if err != nil {
			return err
		}
		return audit.Record(ctx, c, actor, audit.Event{Action: "workforce.framework_edit", RecordType: "competence_framework",
			RecordID: audit.RecordID(id), Detail: fmt.Sprintf("organisation=%d version=%d %s", by.OrganisationID, version, change)})
	})
	if err != nil {
		return Framework{}, apperr.Wrap("edit framework", err)
	}
	return s.FrameworkFor(ctx, by.OrganisationID)
}

// applyEdit returns the competences with the change made, and a line for the audit log naming
// it; problems with what was typed are field errors in sentence case.
func applyEdit(comps []Competence, in CompetenceEdit, known map[string]string) ([]Competence, string, error) {
	out := slices.Clone(comps)
	at := slices.IndexFunc(out, func(k Competence) bool { return k.Code == in.Original })
	if in.Original != "" && at < 0 {
		return nil, "", apperr.New(apperr.NotFound, "That competence is not in the latest version of the framework")
	}
	if in.Remove {
		if len(out) == 1 {
			return nil, "", apperr.New(apperr.Invalid, "A framework needs at least one competence: add another before removing this one")
		}
		return slices.Delete(out, at, at+1), "removed=" + in.Original, nil
	}
	k := Competence{Area: in.Area, Code: in.Code, Name: in.Name, Description: in.Desc}
	var errs apperr.Fields
	for _, p := range k.check(in.TaskTypes, known) {
		errs.Add(p.Field, strings.ToUpper(p.Message[:1])+p.Message[1:])
	}
	if k.Code != "" && k.Code != in.Original && slices.ContainsFunc(out, func(o Competence) bool { return o.Code == k.Code }) {
		errs.Add("code", "Code "+k.Code+" is already used by another competence: choose another")
	}
	if err := errs.Err(); err != nil {
		return nil, "", err
	}
	if at < 0 {
		if len(out) >= MaxFrameworkRows {
			return nil, "", apperr.New(apperr.Invalid, "A framework can hold at most %d competences", MaxFrameworkRows)
		}
		// A new competence goes after the last one in its area, or at the end.
		pos := len(out)
		for i, o := range out {
			if o.Area == k.Area {
				pos = i + 1
			}
		}
		return slices.Insert(out, pos, k), "added=" + k.Code, nil
	}
	out[at] = k
	return out, "changed=" + in.Original + " code=" + k.Code, nil
}

// insertFramework stores competences as the organisation's next framework version.
func insertFramework(ctx context.Context, c store.Conn, by account.User, name string, comps []Competence, typeIDs map[string]int64) (int64, int, error) {
	var version int
	if err := c.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM competence_frameworks WHERE organisation_id = ?`, by.OrganisationID).Scan(&version); err != nil {
		return 0, 0, fmt.Errorf("next framework version: %w", err)
	}
	var id int64
	err := c.QueryRow(ctx, `INSERT INTO competence_frameworks (organisation_id, name, version, loaded_by, loaded_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		by.OrganisationID, name, version, by.ID, store.Now()).Scan(&id)
	if store.IsUniqueViolation(err) {
		return 0, 0, apperr.New(apperr.Conflict, "Someone else changed the framework at the same moment: check it, then try again")
	}
	if err != nil {
		return 0, 0, fmt.Errorf("insert framework: %w", err)
	}
	return id, version, insertCompetences(ctx, c, id, comps, typeIDs)
}

// Framework returns one version of a framework by id, for someone in the organisation it
// belongs to (anyone, for the default).
func (s *Service) Framework(ctx context.Context, by account.User, id int64) (Framework, error) {
	return read(ctx, s.db, "competence framework", func(c store.Conn) (Framework, error) {
		var f Framework
		err := c.QueryRow(ctx, `SELECT id, COALESCE(organisation_id, 0), name, version, loaded_at FROM competence_frameworks WHERE id = ?`, id).
			Scan(&f.ID, &f.OrganisationID, &f.Name, &f.Version, &f.LoadedAt)
		if err != nil || f.OrganisationID != 0 && f.OrganisationID != by.OrganisationID && !by.Has(account.Administrator) {
			return Framework{}, orMissing(ignoreNoRows(err), apperr.New(apperr.NotFound, "No such framework version was found"))
		}
		f.Competences, err = listCompetences(ctx, c, f.ID)
		return f, err
	})
}
