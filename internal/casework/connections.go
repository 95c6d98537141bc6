package casework

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
)

// ConnectionStatus is how far a person has got with a community activity (DESIGN §3.2).
type ConnectionStatus string

const (
	ConnSuggested     ConnectionStatus = "suggested"
	ConnReferred      ConnectionStatus = "referred"
	ConnAccepted      ConnectionStatus = "accepted"
	ConnFirstAttended ConnectionStatus = "first_attended"
	ConnAttending     ConnectionStatus = "attending"
	ConnCompleted     ConnectionStatus = "completed"
	ConnDidNotAttend  ConnectionStatus = "did_not_attend"
	ConnDeclined      ConnectionStatus = "declined"
	ConnNoCapacity    ConnectionStatus = "no_capacity"
)

// ConnectionStatuses lists every status in the order a connection passes through them.
var ConnectionStatuses = []ConnectionStatus{ConnSuggested, ConnReferred, ConnAccepted, ConnFirstAttended,
	ConnAttending, ConnCompleted, ConnDidNotAttend, ConnDeclined, ConnNoCapacity}

var connectionLabels = map[ConnectionStatus]string{
	ConnSuggested: "Suggested", ConnReferred: "Referred", ConnAccepted: "Accepted by provider",
	ConnFirstAttended: "Went to the first session", ConnAttending: "Attending", ConnCompleted: "Completed",
	ConnDidNotAttend: "Did not attend", ConnDeclined: "Declined", ConnNoCapacity: "No capacity",
}

// connectionTransitions is every move a connection may make. A drop-in activity needs no
// referral, so a suggestion can go straight to a first session. Someone who did not attend can
// be booked again or turn up later; a provider with no capacity can take the person when a
// place comes up. Completed and declined are the end: another try is a new connection.
var connectionTransitions = map[ConnectionStatus][]ConnectionStatus{
	ConnSuggested:     {ConnReferred, ConnFirstAttended, ConnDeclined},
	ConnReferred:      {ConnAccepted, ConnDeclined, ConnNoCapacity},
	ConnAccepted:      {ConnFirstAttended, ConnDidNotAttend, ConnDeclined},
	ConnFirstAttended: {ConnAttending, ConnCompleted, ConnDeclined},
	ConnAttending:     {ConnCompleted, ConnDeclined},
	ConnDidNotAttend:  {ConnReferred, ConnFirstAttended, ConnDeclined},
	ConnNoCapacity:    {ConnReferred, ConnAccepted, ConnDeclined},
	ConnCompleted:     nil,
	ConnDeclined:      nil,
}

// connectionStartStatuses are the statuses a new connection may begin in.
var connectionStartStatuses = []ConnectionStatus{ConnSuggested, ConnReferred}

// connectionStates describe a connection in each status, to finish "A connection that ...".
var connectionStates = map[ConnectionStatus]string{
	ConnSuggested: "has only been suggested", ConnReferred: "has been referred", ConnAccepted: "the provider has accepted",
	ConnFirstAttended: "has had a first session", ConnAttending: "is attending", ConnCompleted: "has been completed",
	ConnDidNotAttend: "did not attend", ConnDeclined: "was declined", ConnNoCapacity: "had no capacity",
}

// connectionMoves name the move into each status, to finish "... cannot be ...".
var connectionMoves = map[ConnectionStatus]string{
	ConnSuggested: "suggested again", ConnReferred: "referred", ConnAccepted: "accepted by the provider",
	ConnFirstAttended: "marked as gone to the first session", ConnAttending: "marked as attending",
	ConnCompleted: "completed", ConnDidNotAttend: "marked as did not attend", ConnDeclined: "declined",
	ConnNoCapacity: "marked as no capacity",
}

// Label names the status for people.
func (s ConnectionStatus) Label() string { return connectionLabels[s] }

// Valid reports whether s is a known status.
func (s ConnectionStatus) Valid() bool { _, ok := connectionLabels[s]; return ok }

// Next lists the statuses a connection in s may move to.
func (s ConnectionStatus) Next() []ConnectionStatus { return slices.Clone(connectionTransitions[s]) }

// Ended reports whether nothing can follow s.
func (s ConnectionStatus) Ended() bool { return s.Valid() && len(connectionTransitions[s]) == 0 }

// CheckConnectionTransition returns nil when a connection may move from one status to another,
// and otherwise a Conflict error that says in plain English why not.
func CheckConnectionTransition(from, to ConnectionStatus) error {
	switch {
	case !from.Valid() || !to.Valid():
		return apperr.New(apperr.Invalid, "Select a status from the list")
	case slices.Contains(connectionTransitions[from], to):
		return nil
	case from == to:
		return apperr.New(apperr.Conflict, "This connection is already marked as %s", strings.ToLower(to.Label()))
	case from.Ended():
		return apperr.New(apperr.Conflict, "A connection that %s cannot change: add a new connection to try again", connectionStates[from])
	}
	return apperr.New(apperr.Conflict, "A connection that %s cannot be %s", connectionStates[from], connectionMoves[to])
}

// Connection links a person on a case with a community activity. Until the directory exists
// the activity is named as typed; DirectoryServiceID links it to a directory entry later.
type Connection struct {
	ID                 int64
	CaseID             int64
	DirectoryServiceID int64 // zero until linked
	Activity           string
	Organisation       string
	Status             ConnectionStatus
	FirstSessionHelp   bool   // support to attend the first session
	FirstSessionNote   string // what that support is
	ProviderFeedback   string
	Barriers           []Barrier // barriers met on the way
	CreatedBy          int64
	CreatedAt          time.Time
	UpdatedAt          time.Time
	Version            int64
	History            []ConnectionChange // oldest first, starting with how it began
}

// ConnectionChange is one step in a connection's history. From is empty for the first.
type ConnectionChange struct {
	From          ConnectionStatus
	To            ConnectionStatus
	Note          string
	ChangedBy     int64
	ChangedByName string
	At            time.Time
}

// ConnectionInput is what adding a connection, or changing its details, takes. Status is only
// read when adding: suggested (the default) or referred.
type ConnectionInput struct {
	Activity         string
	Organisation     string
	Status           ConnectionStatus
	FirstSessionHelp bool
	FirstSessionNote string
	ProviderFeedback string
	Barriers         []string
	// DirectoryServicePK links the connection to a directory service (dir_services.pk); zero
	// for an activity typed by hand. Only read when adding.
	DirectoryServicePK int64
}

// Validate explains every problem with the input and returns the connection it describes.
func (in ConnectionInput) Validate() (Connection, error) {
	var errs apperr.Fields
	cn := Connection{
		Activity: strings.TrimSpace(in.Activity), Organisation: strings.TrimSpace(in.Organisation),
		Status: in.Status, FirstSessionHelp: in.FirstSessionHelp, FirstSessionNote: strings.TrimSpace(in.FirstSessionNote),
		ProviderFeedback: strings.TrimSpace(in.ProviderFeedback), DirectoryServiceID: in.DirectoryServicePK,
	}
	if cn.Activity == "" {
		errs.Add("activity", "Enter the name of the activity")
	}
	limitText(&errs, "activity", cn.Activity, "Activity", 200)
	limitText(&errs, "organisation", cn.Organisation, "Organisation", 200)
	if cn.Status == "" {
		cn.Status = ConnSuggested
	}
	if !slices.Contains(connectionStartStatuses, cn.Status) {
		errs.Add("status", "Select whether the activity was suggested or the person was referred")
	}
	if !cn.FirstSessionHelp {
		cn.FirstSessionNote = "" // a note about support nobody is giving would mislead
	}
	longText(&errs, "first_session_note", cn.FirstSessionNote, "Support to attend")
	longText(&errs, "provider_feedback", cn.ProviderFeedback, "Provider feedback")
	var msg string
	if cn.Barriers, msg = ParseBarriers(in.Barriers); msg != "" {
		errs.Add("barriers", msg)
	}
	return cn, errs.Err()
}

// Connections lists a case's connections, newest first, each with its history. Callers audit
// the access with the person's record.
func (s *Service) Connections(ctx context.Context, caseID int64) ([]Connection, error) {
	var out []Connection
	err := s.db.ReadTx(ctx, func(c store.Conn) error {
		if _, err := getCase(ctx, c, caseID); err != nil {
			return err
		}
		var err error
		out, err = listConnections(ctx, c, `case_id = ?`, caseID)
		return err
	})
	return out, apperr.Wrap("connections", err)
}

// AddConnection connects the person on an open case with an activity.
func (s *Service) AddConnection(ctx context.Context, actor audit.Actor, caseID int64, in ConnectionInput) (Connection, error) {
	added, err := s.AddConnections(ctx, actor, caseID, []ConnectionInput{in})
	if err != nil {
		return Connection{}, err
	}
	return added[0], nil
}

// AddConnections connects the person on an open case with several activities at once: all of
// them, or none when any is not valid.
func (s *Service) AddConnections(ctx context.Context, actor audit.Actor, caseID int64, ins []ConnectionInput) ([]Connection, error) {
	cns := make([]Connection, len(ins))
	for i, in := range ins {
		var err error
		if cns[i], err = in.Validate(); err != nil {
			return nil, err
		}
	}
	err := s.db.Tx(ctx, func(c store.Conn) error {
		if _, err := lockOpenCase(ctx, c, caseID, "add connections"); err != nil {
			return err
		}
		for i := range cns {
			var err error
			if cns[i], err = insertConnection(ctx, c, actor, caseID, cns[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, apperr.Wrap("add connection", err)
	}
	return cns, nil
}

func insertConnection(ctx context.Context, c store.Conn, actor audit.Actor, caseID int64, cn Connection) (Connection, error) {
	now := store.Now()
	var dirService any
	if cn.DirectoryServiceID != 0 {
		dirService = cn.DirectoryServiceID
	}
	err := c.QueryRow(ctx, `INSERT INTO connections (case_id, directory_service_id, activity, organisation, status, first_session_help,
		first_session_note, provider_feedback, barriers, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		caseID, dirService, cn.Activity, cn.Organisation, cn.Status, cn.FirstSessionHelp, cn.FirstSessionNote, cn.ProviderFeedback,
		barriersString(cn.Barriers), nullUser(actor.UserID), now, now).Scan(&cn.ID)
	if err != nil {
		return Connection{}, fmt.Errorf("insert connection: %w", err)
	}
	if err := insertConnectionChange(ctx, c, cn.ID, "", cn.Status, "", actor.UserID, now); err != nil {
		return Connection{}, err
	}
	detail := fmt.Sprintf("connection=%d status=%s", cn.ID, cn.Status)
	if cn.DirectoryServiceID != 0 {
		detail += fmt.Sprintf(" directory_service=%d", cn.DirectoryServiceID)
	}
	if err := audit.Record(ctx, c, actor, caseEvent("case.connection_add", caseID, detail)); err != nil {
		return Connection{}, err
	}
	return getConnection(ctx, c, cn.ID)
}

// UpdateConnection changes a connection's activity, support, provider feedback and barriers,
// but not its status, if version is still the connection's.
func (s *Service) UpdateConnection(ctx context.Context, actor audit.Actor, connectionID int64, in ConnectionInput, version int64) (Connection, error) {
	in.Status = ConnSuggested // a valid start, so Validate passes; the status is not changed here
	cn, err := in.Validate()
	if err != nil {
		return Connection{}, err
	}
	err = s.db.Tx(ctx, func(c store.Conn) error {
		old, err := getConnection(ctx, c, connectionID)
		if err != nil {
			return err
		}
		if _, err := lockOpenCase(ctx, c, old.CaseID, "change connections"); err != nil {
			return err
		}
		res, err := c.Exec(ctx, `UPDATE connections SET activity = ?, organisation = ?, first_session_help = ?,
			first_session_note = ?, provider_feedback = ?, barriers = ?, updated_at = ?, version = version + 1
			WHERE id = ? AND version = ?`, cn.Activity, cn.Organisation, cn.FirstSessionHelp, cn.FirstSessionNote,
			cn.ProviderFeedback, barriersString(cn.Barriers), store.Now(), connectionID, version)
		if err != nil {
			return fmt.Errorf("update connection: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errConnectionChanged
		}
		detail := fmt.Sprintf("connection=%d barriers=%s", connectionID, barriersString(cn.Barriers))
		if err := audit.Record(ctx, c, actor, caseEvent("case.connection_update", old.CaseID, detail)); err != nil {
			return err
		}
		cn, err = getConnection(ctx, c, connectionID)
		return err
	})
	if err != nil {
		return Connection{}, apperr.Wrap("update connection", err)
	}
	return cn, nil
}

var errConnectionChanged = apperr.New(apperr.Conflict,
	"Someone else changed this connection while you were looking at it. Check what they did, then try again.")

// MoveConnection moves a connection to a new status, if the lifecycle allows it and version is
// still the connection's, and adds the move to its history with an optional note.
func (s *Service) MoveConnection(ctx context.Context, actor audit.Actor, connectionID int64, to ConnectionStatus, note string, version int64) error {
	note = strings.TrimSpace(note)
	var errs apperr.Fields
	longText(&errs, "note", note, "Note")
	if err := errs.Err(); err != nil {
		return err
	}
	err := s.db.Tx(ctx, func(c store.Conn) error {
		_, err := moveConnection(ctx, c, actor, connectionID, to, note, version)
		return err
	})
	return apperr.Wrap("move connection", err)
}

// moveConnection makes a checked move in c and returns the connection's open case.
func moveConnection(ctx context.Context, c store.Conn, actor audit.Actor, connectionID int64, to ConnectionStatus, note string, version int64) (Case, error) {
	cn, err := getConnection(ctx, c, connectionID)
	if err != nil {
		return Case{}, err
	}
	k, err := lockOpenCase(ctx, c, cn.CaseID, "change connections")
	if err != nil {
		return Case{}, err
	}
	if cn.Version != version {
		return Case{}, errConnectionChanged
	}
	if err := CheckConnectionTransition(cn.Status, to); err != nil {
		return Case{}, err
	}
	now := store.Now()
	res, err := c.Exec(ctx, `UPDATE connections SET status = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?`,
		to, now, connectionID, version)
	if err != nil {
		return Case{}, fmt.Errorf("move connection: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Case{}, errConnectionChanged
	}
	if err := insertConnectionChange(ctx, c, connectionID, cn.Status, to, note, actor.UserID, now); err != nil {
		return Case{}, err
	}
	detail := fmt.Sprintf("connection=%d from=%s to=%s", connectionID, cn.Status, to)
	return k, audit.Record(ctx, c, actor, caseEvent("case.connection_move", cn.CaseID, detail))
}

func insertConnectionChange(ctx context.Context, c store.Conn, id int64, from, to ConnectionStatus, note string, by int64, at time.Time) error {
	_, err := c.Exec(ctx, `INSERT INTO connection_changes (connection_id, from_status, to_status, note, changed_by, changed_at)
		VALUES (?, ?, ?, ?, ?, ?)`, id, from, to, note, nullUser(by), at)
	if err != nil {
		return fmt.Errorf("insert connection change: %w", err)
	}
	return nil
}

const connectionColumns = `id, case_id, COALESCE(directory_service_id, 0), activity, organisation, status,
	first_session_help, first_session_note, provider_feedback, barriers, COALESCE(created_by, 0), created_at, updated_at, version`

func getConnection(ctx context.Context, c store.Conn, id int64) (Connection, error) {
	cs, err := listConnections(ctx, c, `id = ?`, id)
	if err != nil {
		return Connection{}, err
	}
	if len(cs) == 0 {
		return Connection{}, apperr.New(apperr.NotFound, "No connection was found")
	}
	return cs[0], nil
}

func listConnections(ctx context.Context, c store.Conn, where string, args ...any) ([]Connection, error) {
	rows, err := c.Query(ctx, `SELECT `+connectionColumns+` FROM connections WHERE `+where+` ORDER BY created_at DESC, id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("list connections: %w", err)
	}
	defer rows.Close()
	var out []Connection
	for rows.Next() {
		var cn Connection
		var barriers string
		if err := rows.Scan(&cn.ID, &cn.CaseID, &cn.DirectoryServiceID, &cn.Activity, &cn.Organisation, &cn.Status,
			&cn.FirstSessionHelp, &cn.FirstSessionNote, &cn.ProviderFeedback, &barriers, &cn.CreatedBy,
			&cn.CreatedAt, &cn.UpdatedAt, &cn.Version); err != nil {
			return nil, fmt.Errorf("list connections: %w", err)
		}
		cn.Barriers = parseBarriersList(barriers)
		out = append(out, cn)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list connections: %w", err)
	}
	rows.Close()
	at := make(map[int64]int, len(out))
	for i, cn := range out {
		at[cn.ID] = i
	}
	return out, connectionHistory(ctx, c, out, at, where, args)
}

// connectionHistory fills in the history of the connections that match where, oldest first.
func connectionHistory(ctx context.Context, c store.Conn, out []Connection, at map[int64]int, where string, args []any) error {
	rows, err := c.Query(ctx, `SELECT h.connection_id, h.from_status, h.to_status, h.note, COALESCE(h.changed_by, 0),
		COALESCE(u.name, ''), h.changed_at FROM connection_changes h LEFT JOIN users u ON u.id = h.changed_by
		WHERE h.connection_id IN (SELECT id FROM connections WHERE `+where+`) ORDER BY h.id`, args...)
	if err != nil {
		return fmt.Errorf("connection history: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var h ConnectionChange
		if err := rows.Scan(&id, &h.From, &h.To, &h.Note, &h.ChangedBy, &h.ChangedByName, &h.At); err != nil {
			return fmt.Errorf("connection history: %w", err)
		}
		if i, ok := at[id]; ok {
			out[i].History = append(out[i].History, h)
		}
	}
	return rows.Err()
}
