package workforce

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
)

// Profession is what a member of staff is trained as, which may differ from their role:
// an OT assistant holds cases as a link worker.
type Profession string

// Professions lists the professions in the order shown.
var Professions = []Profession{"occupational_therapist", "ot_assistant", "link_worker", "care_coordinator", "health_wellbeing_coach", "other"}

var professionLabels = map[Profession]string{
	"occupational_therapist": "Occupational therapist", "ot_assistant": "Occupational therapy assistant",
	"link_worker": "Social prescribing link worker", "care_coordinator": "Care coordinator",
	"health_wellbeing_coach": "Health and wellbeing coach", "other": "Other",
}

// Label names the profession for people.
func (p Profession) Label() string {
	if l, ok := professionLabels[p]; ok {
		return l
	}
	return string(p)
}

// Bands are the NHS Agenda for Change bands a profile may record; empty means not on one.
var Bands = []string{"2", "3", "4", "5", "6", "7", "8a", "8b", "8c", "8d", "9"}

// MaxCapacity is the most open cases a profile may say someone can hold.
const MaxCapacity = 500

// Profile is a member of staff as the workforce pages know them. Version is zero until it is
// first saved.
type Profile struct {
	UserID         int64
	Name           string
	Email          string
	OrganisationID int64
	Organisation   string
	Roles          []account.Role
	Teams          []string
	Profession     Profession
	Registration   string // the HCPC number for an OT
	Band           string
	Capacity       int
	Supervisors    []Link
	Version        int64
}

// Link is one supervision relationship.
type Link struct {
	ID             int64
	SuperviseeID   int64
	SuperviseeName string
	SupervisorID   int64
	SupervisorName string
	SuperviseeOrg  string
	SupervisorOrg  string
	From           string
	CrossOrg       bool
}

// ProfileInput is what saving a profile takes; Capacity is as typed.
type ProfileInput struct {
	Profession   Profession
	Registration string
	Band         string
	Capacity     string
	Version      int64
}

var hcpcOT = regexp.MustCompile(`^OT\d{5,6}$`)

// NormaliseRegistration upper-cases a registration number and drops its spaces.
func NormaliseRegistration(s string) string {
	return strings.ToUpper(strings.Join(strings.Fields(s), ""))
}

// Validate explains every problem with the input and returns the capacity it gives.
func (in *ProfileInput) Validate() (int, error) {
	var errs apperr.Fields
	if _, ok := professionLabels[in.Profession]; !ok {
		errs.Add("profession", "Select a profession")
	}
	in.Registration = NormaliseRegistration(in.Registration)
	switch {
	case in.Profession == "occupational_therapist" && in.Registration == "":
		errs.Add("registration", "Enter the HCPC registration number, like OT12345")
	case in.Profession == "occupational_therapist" && !hcpcOT.MatchString(in.Registration):
		errs.Add("registration", "Enter an HCPC registration number in the correct format: OT followed by 5 or 6 numbers, like OT12345")
	case len(in.Registration) > 30:
		errs.Add("registration", "Registration number must be 30 characters or fewer")
	}
	if in.Band != "" && !slices.Contains(Bands, in.Band) {
		errs.Add("band", "Select an NHS band from the list, or not on Agenda for Change")
	}
	capacity, err := strconv.Atoi(strings.TrimSpace(in.Capacity))
	switch {
	case strings.TrimSpace(in.Capacity) == "":
		errs.Add("capacity", "Enter how many open cases they can hold")
	case err != nil:
		errs.Add("capacity", "Caseload capacity must be a whole number, like 40")
	case capacity < 1 || capacity > MaxCapacity:
		errs.Add("capacity", fmt.Sprintf("Caseload capacity must be between 1 and %d", MaxCapacity))
	}
	return capacity, errs.Err()
}

// mayManage reports whether by may change u's profile and supervisors: an administrator, or a
// service lead in u's organisation.
func mayManage(by account.User, orgID int64) bool {
	return by.Has(account.Administrator) || by.Has(account.ServiceLead) && by.OrganisationID != 0 && by.OrganisationID == orgID
}

var errNotYourStaff = apperr.New(apperr.Forbidden, "Only a service lead in their organisation, or an administrator, can change this member of staff's profile or supervisors")

// MayManage reports whether by may change the profile and supervisors of someone in orgID.
func MayManage(by account.User, orgID int64) bool { return mayManage(by, orgID) }

// Profile returns a member of staff's profile with their current supervisors.
func (s *Service) Profile(ctx context.Context, userID int64) (Profile, error) {
	return read(ctx, s.db, "staff profile", func(c store.Conn) (Profile, error) { return getProfile(ctx, c, userID) })
}

func getProfile(ctx context.Context, c store.Conn, userID int64) (Profile, error) {
	var p Profile
	err := c.QueryRow(ctx, `SELECT u.id, u.name, u.email, COALESCE(u.organisation_id, 0), COALESCE(o.name, ''),
		COALESCE(sp.profession, ''), COALESCE(sp.registration, ''), COALESCE(sp.band, ''), COALESCE(sp.capacity, 0), COALESCE(sp.version, 0)
		FROM users u LEFT JOIN organisations o ON o.id = u.organisation_id LEFT JOIN staff_profiles sp ON sp.user_id = u.id
		WHERE u.id = ?`, userID).Scan(&p.UserID, &p.Name, &p.Email, &p.OrganisationID, &p.Organisation,
		&p.Profession, &p.Registration, &p.Band, &p.Capacity, &p.Version)
	if err != nil {
		return Profile{}, orMissing(ignoreNoRows(err), apperr.New(apperr.NotFound, "No such member of staff was found"))
	}
	st, err := getStaff(ctx, c, userID)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return Profile{}, err
	}
	p.Roles = st.Roles
	if p.Teams, err = teamNames(ctx, c, userID); err != nil {
		return Profile{}, err
	}
	p.Supervisors, err = listLinks(ctx, c, `l.supervisee_id = ?`, userID)
	return p, err
}

func teamNames(ctx context.Context, c store.Conn, userID int64) ([]string, error) {
	rows, err := c.Query(ctx, `SELECT t.name FROM teams t JOIN team_members tm ON tm.team_id = t.id WHERE tm.user_id = ? ORDER BY t.name`, userID)
	if err != nil {
		return nil, fmt.Errorf("team names: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("team names: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// SaveProfile records a member of staff's profession, registration, band and capacity, refusing
// an edit made on a version that is no longer current.
func (s *Service) SaveProfile(ctx context.Context, actor audit.Actor, by account.User, userID int64, in ProfileInput) error {
	capacity, err := in.Validate()
	if err != nil {
		return err
	}
	err = s.db.Tx(ctx, func(c store.Conn) error {
		p, err := getProfile(ctx, c, userID)
		if err != nil {
			return err
		}
		if !mayManage(by, p.OrganisationID) {
			return errNotYourStaff
		}
		if in.Version != p.Version {
			return apperr.New(apperr.Conflict, "Someone else changed this profile while you were working on it. Check what they did, then try again.")
		}
		now := store.Now()
		if p.Version == 0 {
			_, err = c.Exec(ctx, `INSERT INTO staff_profiles (user_id, profession, registration, band, capacity, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
				userID, in.Profession, in.Registration, in.Band, capacity, now)
		} else {
			_, err = c.Exec(ctx, `UPDATE staff_profiles SET profession = ?, registration = ?, band = ?, capacity = ?, updated_at = ?,
				version = version + 1 WHERE user_id = ? AND version = ?`, in.Profession, in.Registration, in.Band, capacity, now, userID, p.Version)
		}
		if store.IsUniqueViolation(err) {
			return apperr.New(apperr.Conflict, "Someone else saved this profile while you were working on it. Check what they did, then try again.")
		}
		if err != nil {
			return fmt.Errorf("save profile: %w", err)
		}
		return audit.Record(ctx, c, actor, userEvent("workforce.profile", userID,
			fmt.Sprintf("profession=%s band=%s capacity=%d", in.Profession, in.Band, capacity)))
	})
	return apperr.Wrap("save profile", err)
}

// AddSupervisor makes supervisorID a supervisor of superviseeID from today. The supervisor must
// hold the supervisor role; one in another organisation only while a data-sharing agreement
// between the two organisations is in force.
func (s *Service) AddSupervisor(ctx context.Context, actor audit.Actor, by account.User, superviseeID, supervisorID int64) error {
	if supervisorID == 0 {
		return apperr.Fields{{Field: "supervisor", Message: "Select a supervisor"}}.Err()
	}
	if supervisorID == superviseeID {
		return apperr.Fields{{Field: "supervisor", Message: "Select someone else: nobody supervises themselves"}}.Err()
	}
	err := s.db.Tx(ctx, func(c store.Conn) error {
		ee, err := getStaff(ctx, c, superviseeID)
		if err != nil {
			return err
		}
		if !mayManage(by, ee.OrganisationID) {
			return errNotYourStaff
		}
		or, err := getStaff(ctx, c, supervisorID)
		if apperr.Is(err, apperr.NotFound) || err == nil && !or.has(account.Supervisor) {
			return apperr.Fields{{Field: "supervisor", Message: "Select someone who holds the supervisor role"}}.Err()
		}
		if err != nil {
			return err
		}
		cross := or.OrganisationID != ee.OrganisationID
		if cross {
			ok, err := s.orgs.Shares(ctx, ee.OrganisationID, or.OrganisationID, s.now().In(london))
			if err != nil {
				return err
			}
			if !ok {
				return apperr.Fields{{Field: "supervisor", Message: or.Name + " works for an organisation with no data-sharing agreement in force with " + ee.Name + "'s: record an agreement between the two organisations first"}}.Err()
			}
		}
		_, err = c.Exec(ctx, `INSERT INTO supervisor_links (supervisee_id, supervisor_id, from_on, created_by, created_at) VALUES (?, ?, ?, ?, ?)`,
			superviseeID, supervisorID, s.today(), nullID(by.ID), store.Now())
		if store.IsUniqueViolation(err) {
			return apperr.Fields{{Field: "supervisor", Message: or.Name + " already supervises " + ee.Name}}.Err()
		}
		if err != nil {
			return fmt.Errorf("add supervisor: %w", err)
		}
		return audit.Record(ctx, c, actor, userEvent("workforce.supervisor_add", superviseeID,
			fmt.Sprintf("supervisor=%d cross_organisation=%t", supervisorID, cross)))
	})
	return apperr.Wrap("add supervisor", err)
}

// EndSupervisor ends a supervision relationship from today.
func (s *Service) EndSupervisor(ctx context.Context, actor audit.Actor, by account.User, linkID int64) error {
	err := s.db.Tx(ctx, func(c store.Conn) error {
		ls, err := listLinks(ctx, c, `l.id = ?`, linkID)
		if err != nil || len(ls) == 0 {
			return orMissing(err, apperr.New(apperr.NotFound, "That supervision has already ended"))
		}
		ee, err := getStaff(ctx, c, ls[0].SuperviseeID)
		if err != nil {
			return err
		}
		if !mayManage(by, ee.OrganisationID) {
			return errNotYourStaff
		}
		if _, err := c.Exec(ctx, `UPDATE supervisor_links SET ended_on = ? WHERE id = ? AND ended_on = ''`, s.today(), linkID); err != nil {
			return fmt.Errorf("end supervisor: %w", err)
		}
		return audit.Record(ctx, c, actor, userEvent("workforce.supervisor_end", ee.ID, fmt.Sprintf("supervisor=%d", ls[0].SupervisorID)))
	})
	return apperr.Wrap("end supervisor", err)
}

// Supervisees lists the people a user supervises now, by name.
func (s *Service) Supervisees(ctx context.Context, supervisorID int64) ([]Link, error) {
	out, err := listLinks(ctx, s.db.Reader(), `l.supervisor_id = ?`, supervisorID)
	slices.SortFunc(out, func(a, b Link) int { return strings.Compare(a.SuperviseeName, b.SuperviseeName) })
	return out, apperr.Wrap("supervisees", err)
}

// Supervises reports whether supervisorID supervises userID now.
func (s *Service) Supervises(ctx context.Context, c store.Conn, supervisorID, userID int64) (bool, error) {
	var n int
	err := c.QueryRow(ctx, `SELECT COUNT(*) FROM supervisor_links WHERE supervisor_id = ? AND supervisee_id = ? AND ended_on = ''`,
		supervisorID, userID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("supervises: %w", err)
	}
	return n > 0, nil
}

// SupervisorCandidates lists who could supervise someone in orgID today: holders of the
// supervisor role in that organisation or one that shares data with it.
func (s *Service) SupervisorCandidates(ctx context.Context, orgID int64) ([]Link, error) {
	day := s.now().In(london).Format(time.DateOnly)
	rows, err := s.db.Reader().Query(ctx, `SELECT u.id, u.name, COALESCE(o.name, ''), COALESCE(u.organisation_id, 0)
		FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = ? LEFT JOIN organisations o ON o.id = u.organisation_id
		WHERE u.disabled_at IS NULL AND (u.organisation_id = ? OR u.organisation_id IN (
			SELECT pb.organisation_id FROM data_sharing_agreements d
			JOIN agreement_parties pa ON pa.agreement_id = d.id AND pa.organisation_id = ?
			JOIN agreement_parties pb ON pb.agreement_id = d.id
			WHERE d.starts_on <= ? AND (d.ends_on IS NULL OR d.ends_on >= ?)))
		ORDER BY u.name`, account.Supervisor, orgID, orgID, day, day)
	if err != nil {
		return nil, apperr.Wrap("supervisor candidates", err)
	}
	defer rows.Close()
	var out []Link
	for rows.Next() {
		var l Link
		var org int64
		if err := rows.Scan(&l.SupervisorID, &l.SupervisorName, &l.SupervisorOrg, &org); err != nil {
			return nil, apperr.Wrap("supervisor candidates", err)
		}
		l.CrossOrg = org != orgID
		out = append(out, l)
	}
	return out, apperr.Wrap("supervisor candidates", rows.Err())
}

const linkSelect = `SELECT l.id, l.supervisee_id, ee.name, l.supervisor_id, er.name, l.from_on,
	COALESCE(oe.name, ''), COALESCE(oo.name, ''), COALESCE(ee.organisation_id, 0) <> COALESCE(er.organisation_id, 0)
	FROM supervisor_links l JOIN users ee ON ee.id = l.supervisee_id JOIN users er ON er.id = l.supervisor_id
	LEFT JOIN organisations oe ON oe.id = ee.organisation_id LEFT JOIN organisations oo ON oo.id = er.organisation_id`

// listLinks lists current supervision relationships.
func listLinks(ctx context.Context, c store.Conn, where string, args ...any) ([]Link, error) {
	rows, err := c.Query(ctx, linkSelect+` WHERE l.ended_on = '' AND `+where+` ORDER BY er.name, l.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list supervisors: %w", err)
	}
	defer rows.Close()
	var out []Link
	for rows.Next() {
		var l Link
		if err := rows.Scan(&l.ID, &l.SuperviseeID, &l.SuperviseeName, &l.SupervisorID, &l.SupervisorName, &l.From,
			&l.SuperviseeOrg, &l.SupervisorOrg, &l.CrossOrg); err != nil {
			return nil, fmt.Errorf("list supervisors: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}
