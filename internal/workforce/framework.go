package workforce

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
)

// Framework is one version of a competence framework: the shipped default (OrganisationID
// zero) or an organisation's own. Versions are never changed once loaded.
type Framework struct {
	ID             int64
	OrganisationID int64
	Name           string
	Version        int
	LoadedAt       time.Time
	Competences    []Competence
}

// Competence is one thing a worker must be able to do, in an area, with the task types it
// unlocks: a delegate needs every competence that unlocks a task's type.
type Competence struct {
	ID          int64
	Area        string
	Code        string
	Name        string
	Description string
	TaskTypes   []string // task type names
}

// Areas groups the competences by area, in the framework's order.
func (f Framework) Areas() []Area {
	var out []Area
	for _, c := range f.Competences {
		if len(out) == 0 || out[len(out)-1].Name != c.Area {
			out = append(out, Area{Name: c.Area})
		}
		out[len(out)-1].Competences = append(out[len(out)-1].Competences, c)
	}
	return out
}

// Area is a heading of a framework with its competences.
type Area struct {
	Name        string
	Competences []Competence
}

// CSVHeader is the first line every framework file starts with (docs/competence-framework.md).
var CSVHeader = []string{"area", "code", "competence", "description", "task_types"}

// MaxFrameworkRows is the most competences a framework file may hold.
const MaxFrameworkRows = 500

var codePattern = regexp.MustCompile(`^[A-Z][A-Z0-9-]{1,29}$`)

// ParseFramework reads a framework file, checking every line against the task types that
// exist (by name, in any case). A file with problems is refused with every problem found, each
// naming its line, on the field "file".
func ParseFramework(r io.Reader, taskTypes []string) ([]Competence, error) {
	known := typesByLower(taskTypes)
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	var problems apperr.Fields
	add := func(line int, format string, args ...any) {
		problems.Add("file", fmt.Sprintf("Line %d: ", line)+fmt.Sprintf(format, args...))
	}
	var out []Competence
	seen := map[string]int{}
	for first := true; len(problems) < 20; first = false {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			add(line, "this is not valid CSV (%s)", csvReason(err))
			break
		}
		line, _ := cr.FieldPos(0)
		if first {
			if !sameHeader(rec) {
				add(line, "the first line must be the header %q", strings.Join(CSVHeader, ","))
				break
			}
			continue
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		c, msgs := readCompetence(rec, known)
		for _, m := range msgs {
			add(line, "%s", m)
		}
		if c.Code != "" {
			if prev, dup := seen[c.Code]; dup {
				add(line, "code %s is already used on line %d", c.Code, prev)
			}
			seen[c.Code] = line
		}
		if len(out) == MaxFrameworkRows {
			add(line, "a framework can hold at most %d competences", MaxFrameworkRows)
			break
		}
		out = append(out, c)
	}
	if len(problems) == 0 && len(out) == 0 {
		problems.Add("file", "The file has no competences: add a line for each one under the header")
	}
	return out, problems.Err()
}

// typesByLower indexes task type names by their lower case, for reading them in any case.
func typesByLower(names []string) map[string]string {
	known := map[string]string{}
	for _, t := range names {
		known[strings.ToLower(t)] = t
	}
	return known
}

func csvReason(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func sameHeader(rec []string) bool {
	if len(rec) != len(CSVHeader) {
		return false
	}
	for i, h := range CSVHeader {
		if strings.ToLower(strings.TrimSpace(strings.TrimPrefix(rec[i], "\ufeff"))) != h {
			return false
		}
	}
	return true
}

// readCompetence reads one line of a framework file and says what is wrong with it.
func readCompetence(rec []string, known map[string]string) (Competence, []string) {
	if len(rec) != len(CSVHeader) {
		return Competence{}, []string{fmt.Sprintf("expected %d columns (%s), found %d", len(CSVHeader), strings.Join(CSVHeader, ", "), len(rec))}
	}
	c := Competence{Area: rec[0], Code: rec[1], Name: rec[2], Description: rec[3]}
	var msgs []string
	for _, p := range c.check(strings.Split(rec[4], ";"), known) {
		msgs = append(msgs, p.Message)
	}
	return c, msgs
}

// check tidies a competence as typed, resolves its task types by name (in any case) and says
// what is wrong with it, field by field, in words that follow "Line N: " or start a sentence.
func (c *Competence) check(taskTypes []string, known map[string]string) apperr.Fields {
	var errs apperr.Fields
	c.Area, c.Code = strings.TrimSpace(c.Area), strings.ToUpper(strings.TrimSpace(c.Code))
	c.Name, c.Description = strings.TrimSpace(c.Name), strings.TrimSpace(c.Description)
	need := func(field, v, label string, max int) {
		switch {
		case v == "":
			errs.Add(field, "enter the "+label)
		case len(v) > max:
			errs.Add(field, fmt.Sprintf("the %s must be %d characters or fewer", label, max))
		}
	}
	need("area", c.Area, "area", 100)
	if c.Code != "" && !codePattern.MatchString(c.Code) {
		errs.Add("code", fmt.Sprintf("code %q must be 2 to 30 capital letters, numbers and hyphens, starting with a letter, like SF-LONE-WORKING", c.Code))
	}
	need("code", c.Code, "code", 30)
	need("competence", c.Name, "competence", 200)
	if len(c.Description) > 2000 {
		errs.Add("description", "the description must be 2000 characters or fewer")
	}
	c.TaskTypes = nil
	for _, t := range taskTypes {
		if t = strings.TrimSpace(t); t == "" {
			continue
		}
		name, ok := known[strings.ToLower(t)]
		if !ok {
			errs.Add("task_types", fmt.Sprintf("there is no task type called %q", t))
			continue
		}
		if !slices.Contains(c.TaskTypes, name) {
			c.TaskTypes = append(c.TaskTypes, name)
		}
	}
	return errs
}

// WriteCSV writes the framework in the file format ParseFramework reads.
func (f Framework) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write(CSVHeader)
	for _, c := range f.Competences {
		cw.Write([]string{c.Area, c.Code, c.Name, c.Description, strings.Join(c.TaskTypes, ";")})
	}
	cw.Flush()
	return cw.Error()
}

// FrameworkFor returns the framework that applies to people in an organisation: its own
// latest version, or else the latest default.
func (s *Service) FrameworkFor(ctx context.Context, orgID int64) (Framework, error) {
	return read(ctx, s.db, "competence framework", func(c store.Conn) (Framework, error) { return frameworkFor(ctx, c, orgID) })
}

func frameworkFor(ctx context.Context, c store.Conn, orgID int64) (Framework, error) {
	var f Framework
	err := c.QueryRow(ctx, `SELECT id, COALESCE(organisation_id, 0), name, version, loaded_at FROM competence_frameworks
		WHERE organisation_id = ? OR organisation_id IS NULL
		ORDER BY CASE WHEN organisation_id IS NULL THEN 1 ELSE 0 END, version DESC LIMIT 1`, orgID).
		Scan(&f.ID, &f.OrganisationID, &f.Name, &f.Version, &f.LoadedAt)
	if err != nil {
		return Framework{}, orMissing(ignoreNoRows(err), apperr.New(apperr.NotFound, "No competence framework has been loaded"))
	}
	f.Competences, err = listCompetences(ctx, c, f.ID)
	return f, err
}

func listCompetences(ctx context.Context, c store.Conn, frameworkID int64) ([]Competence, error) {
	rows, err := c.Query(ctx, `SELECT c.id, c.area, c.code, c.name, c.description, COALESCE(t.name, '')
		FROM competences c LEFT JOIN competence_task_types ct ON ct.competence_id = c.id LEFT JOIN task_types t ON t.id = ct.task_type_id
		WHERE c.framework_id = ? ORDER BY c.position, t.name`, frameworkID)
	if err != nil {
		return nil, fmt.Errorf("list competences: %w", err)
	}
	defer rows.Close()
	var out []Competence
	for rows.Next() {
		var k Competence
		var task string
		if err := rows.Scan(&k.ID, &k.Area, &k.Code, &k.Name, &k.Description, &task); err != nil {
			return nil, fmt.Errorf("list competences: %w", err)
		}
		if len(out) == 0 || out[len(out)-1].ID != k.ID {
			out = append(out, k)
		}
		if task != "" {
			last := &out[len(out)-1]
			last.TaskTypes = append(last.TaskTypes, task)
		}
	}
	return out, rows.Err()
}

// FrameworkVersions lists the versions an organisation has loaded, newest first, then the
// default's.
func (s *Service) FrameworkVersions(ctx context.Context, orgID int64) ([]Framework, error) {
	rows, err := s.db.Reader().Query(ctx, `SELECT id, COALESCE(organisation_id, 0), name, version, loaded_at FROM competence_frameworks
		WHERE organisation_id = ? OR organisation_id IS NULL
		ORDER BY CASE WHEN organisation_id IS NULL THEN 1 ELSE 0 END, version DESC`, orgID)
	if err != nil {
		return nil, apperr.Wrap("framework versions", err)
	}
	defer rows.Close()
	var out []Framework
	for rows.Next() {
		var f Framework
		if err := rows.Scan(&f.ID, &f.OrganisationID, &f.Name, &f.Version, &f.LoadedAt); err != nil {
			return nil, apperr.Wrap("framework versions", err)
		}
		out = append(out, f)
	}
	return out, apperr.Wrap("framework versions", rows.Err())
}

// TaskTypeNames lists the names of the task types a framework may refer to.
func (s *Service) TaskTypeNames(ctx context.Context) ([]string, error) {
	out, _, err := taskTypes(ctx, s.db.Reader())
	return out, apperr.Wrap("task types", err)
}

func taskTypes(ctx context.Context, c store.Conn) ([]string, map[string]int64, error) {
	rows, err := c.Query(ctx, `SELECT id, name FROM task_types ORDER BY name`)
	if err != nil {
		return nil, nil, fmt.Errorf("task types: %w", err)
	}
	defer rows.Close()
	var names []string
	ids := map[string]int64{}
	for rows.Next() {
		var id int64
		var n string
		if err := rows.Scan(&id, &n); err != nil {
			return nil, nil, fmt.Errorf("task types: %w", err)
		}
		names = append(names, n)
		ids[n] = id
	}
	return names, ids, rows.Err()
}

// LoadFramework reads a framework file and stores it as the next version of the service lead's
// organisation's framework. Sign-offs already given keep the names and version they were given
// under.
func (s *Service) LoadFramework(ctx context.Context, actor audit.Actor, by account.User, name string, file io.Reader) (Framework, error) {
	if !by.Has(account.ServiceLead) || by.OrganisationID == 0 {
		return Framework{}, apperr.New(apperr.Forbidden, "Only a service lead can load their organisation's competence framework")
	}
	name, ok := trimLimit(name, 200)
	var errs apperr.Fields
	switch {
	case name == "":
		errs.Add("name", "Enter a name for the framework")
	case !ok:
		errs.Add("name", "Name must be 200 characters or fewer")
	}
	names, err := s.TaskTypeNames(ctx)
	if err != nil {
		return Framework{}, err
	}
	comps, perr := ParseFramework(file, names)
	if ae, ok := apperr.As(perr); ok {
		errs = append(errs, ae.Fields...)
	}
	if err := errs.Err(); err != nil {
		return Framework{}, err
	}
	err = s.db.Tx(ctx, func(c store.Conn) error {
		_, typeIDs, err := taskTypes(ctx, c)
		if err != nil {
			return err
		}
		id, version, err := insertFramework(ctx, c, by, name, comps, typeIDs)
		if err != nil {
			return err
		}
		return audit.Record(ctx, c, actor, audit.Event{Action: "workforce.framework_load", RecordType: "competence_framework",
			RecordID: audit.RecordID(id), Detail: fmt.Sprintf("organisation=%d version=%d competences=%d", by.OrganisationID, version, len(comps))})
	})
	if err != nil {
		return Framework{}, apperr.Wrap("load framework", err)
	}
	return s.FrameworkFor(ctx, by.OrganisationID)
}

func insertCompetences(ctx context.Context, c store.Conn, frameworkID int64, comps []Competence, typeIDs map[string]int64) error {
	for i, k := range comps {
		var cid int64
		err := c.QueryRow(ctx, `INSERT INTO competences (framework_id, position, area, code, name, description) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			frameworkID, i+1, k.Area, k.Code, k.Name, k.Description).Scan(&cid)
		if err != nil {
			return fmt.Errorf("insert competence: %w", err)
		}
		for _, t := range k.TaskTypes {
			if _, err := c.Exec(ctx, `INSERT INTO competence_task_types (competence_id, task_type_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, cid, typeIDs[t]); err != nil {
				return fmt.Errorf("insert competence task type: %w", err)
			}
		}
	}
	return nil
}
