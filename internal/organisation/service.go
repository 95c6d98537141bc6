package organisation

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
)

// Service manages organisations, teams and data-sharing agreements.
type Service struct {
	db *store.DB
}

// NewService returns a Service over db.
func NewService(db *store.DB) *Service { return &Service{db: db} }

func event(action, recordType string, id int64, detail string) audit.Event {
	return audit.Event{Action: action, RecordType: recordType, RecordID: audit.RecordID(id), Detail: detail}
}

// Create stores a new organisation.
func (s *Service) Create(ctx context.Context, actor audit.Actor, in Input) (Organisation, error) {
	if err := in.Validate(); err != nil {
		return Organisation{}, err
	}
	var o Organisation
	err := s.db.Tx(ctx, func(c store.Conn) error {
		id, err := insertOrg(ctx, c, in)
		if err != nil {
			return err
		}
		if err := audit.Record(ctx, c, actor, event("organisation.create", "organisation", id, "type="+string(in.Type))); err != nil {
			return err
		}
		o, err = getOrg(ctx, c, "id = ?", id)
		return err
	})
	return o, apperr.Wrap("create organisation", err)
}

// Update changes an organisation if in.Version is still current.
func (s *Service) Update(ctx context.Context, actor audit.Actor, id int64, in Input) (Organisation, error) {
	if err := in.Validate(); err != nil {
		return Organisation{}, err
	}
	var o Organisation
	err := s.db.Tx(ctx, func(c store.Conn) error {
		if err := updateOrg(ctx, c, id, in); err != nil {
			return err
		}
		if err := audit.Record(ctx, c, actor, event("organisation.update", "organisation", id, "type="+string(in.Type))); err != nil {
			return err
		}
		var err error
		o, err = getOrg(ctx, c, "id = ?", id)
		return err
	})
	return o, apperr.Wrap("update organisation", err)
}

// Get returns one organisation with its teams.
func (s *Service) Get(ctx context.Context, id int64) (Organisation, error) {
	o, err := getOrg(ctx, s.db.Reader(), "id = ?", id)
	return o, apperr.Wrap("get organisation", err)
}

// List returns every organisation by name.
func (s *Service) List(ctx context.Context) ([]Organisation, error) {
	out, err := listOrgs(ctx, s.db.Reader())
	return out, apperr.Wrap("list organisations", err)
}

// Resolve finds an organisation by id, ODS code or exact name (ignoring case), as every
// --org flag accepts.
func (s *Service) Resolve(ctx context.Context, ref string) (Organisation, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return Organisation{}, apperr.New(apperr.Invalid, "no organisation given")
	}
	c := s.db.Reader()
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		if o, err := getOrg(ctx, c, "id = ?", id); err == nil || !apperr.Is(err, apperr.NotFound) {
			return o, err
		}
	}
	if o, err := getOrg(ctx, c, "ods_code = ?", strings.ToUpper(ref)); err == nil || !apperr.Is(err, apperr.NotFound) {
		return o, err
	}
	o, err := getOrg(ctx, c, "lower(name) = lower(?)", ref)
	if apperr.Is(err, apperr.NotFound) {
		return Organisation{}, apperr.New(apperr.NotFound, "no organisation has the id, ODS code or name %q (see `linkwell org list`)", ref)
	}
	return o, err
}

// Teams lists teams, of one organisation or (orgID zero) of all.
func (s *Service) Teams(ctx context.Context, orgID int64) ([]Team, error) {
	out, err := listTeams(ctx, s.db.Reader(), orgID)
	return out, apperr.Wrap("list teams", err)
}

// AddTeam creates a team in an organisation.
func (s *Service) AddTeam(ctx context.Context, actor audit.Actor, orgID int64, name string) (Team, error) {
	if err := ValidateTeamName(name); err != nil {
		return Team{}, err
	}
	name = strings.TrimSpace(name)
	var t Team
	err := s.db.Tx(ctx, func(c store.Conn) error {
		id, err := insertTeam(ctx, c, orgID, name)
		if err != nil {
			return err
		}
		t = Team{ID: id, OrganisationID: orgID, Name: name}
		return audit.Record(ctx, c, actor, event("team.create", "team", id, "organisation="+audit.RecordID(orgID)))
	})
	return t, apperr.Wrap("add team", err)
}

// CreateAgreement records a data-sharing agreement.
func (s *Service) CreateAgreement(ctx context.Context, actor audit.Actor, in AgreementInput) (Agreement, error) {
	if err := in.Validate(); err != nil {
		return Agreement{}, err
	}
	var a Agreement
	err := s.db.Tx(ctx, func(c store.Conn) error {
		now := store.Now()
		var id int64
		err := c.QueryRow(ctx, `INSERT INTO data_sharing_agreements (title, purpose, starts_on, ends_on, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, in.Title, in.Purpose, in.startsOn, nullString(in.endsOn), now, now).Scan(&id)
		if err != nil {
			return fmt.Errorf("insert agreement: %w", err)
		}
		if err := writeParties(ctx, c, id, in.PartyIDs); err != nil {
			return err
		}
		if err := audit.Record(ctx, c, actor, event("agreement.create", "agreement", id, partiesDetail(in.PartyIDs))); err != nil {
			return err
		}
		a, err = getAgreement(ctx, c, id)
		return err
	})
	return a, apperr.Wrap("create agreement", err)
}

// UpdateAgreement changes an agreement if in.Version is still current.
func (s *Service) UpdateAgreement(ctx context.Context, actor audit.Actor, id int64, in AgreementInput) (Agreement, error) {
	if err := in.Validate(); err != nil {
		return Agreement{}, err
	}
	var a Agreement
	err := s.db.Tx(ctx, func(c store.Conn) error {
		res, err := c.Exec(ctx, `UPDATE data_sharing_agreements SET title = ?, purpose = ?, starts_on = ?, ends_on = ?,
			updated_at = ?, version = version + 1 WHERE id = ? AND version = ?`,
			in.Title, in.Purpose, in.startsOn, nullString(in.endsOn), store.Now(), id, in.Version)
		if err != nil {
			return fmt.Errorf("update agreement: %w", err)
		}
		if err := expectOneRow(res, "agreement"); err != nil {
			return err
		}
		if err := writeParties(ctx, c, id, in.PartyIDs); err != nil {
			return err
		}
		if err := audit.Record(ctx, c, actor, event("agreement.update", "agreement", id, partiesDetail(in.PartyIDs))); err != nil {
			return err
		}
		a, err = getAgreement(ctx, c, id)
		return err
	})
	return a, apperr.Wrap("update agreement", err)
}

func partiesDetail(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = audit.RecordID(id)
	}
	return "parties=" + strings.Join(parts, ",")
}

// Agreement returns one agreement.
func (s *Service) Agreement(ctx context.Context, id int64) (Agreement, error) {
	a, err := getAgreement(ctx, s.db.Reader(), id)
	return a, apperr.Wrap("get agreement", err)
}

// Agreements lists agreements, those an organisation is party to or (orgID zero) all.
func (s *Service) Agreements(ctx context.Context, orgID int64) ([]Agreement, error) {
	out, err := listAgreements(ctx, s.db.Reader(), orgID)
	return out, apperr.Wrap("list agreements", err)
}

// Shares reports whether a and b may share data today: the same organisation, or parties to
// one agreement in force.
func (s *Service) Shares(ctx context.Context, a, b int64, day time.Time) (bool, error) {
	if a == b {
		return true, nil
	}
	var n int
	err := s.db.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM data_sharing_agreements d
		JOIN agreement_parties pa ON pa.agreement_id = d.id AND pa.organisation_id = ?
		JOIN agreement_parties pb ON pb.agreement_id = d.id AND pb.organisation_id = ?
		WHERE d.starts_on <= ? AND (d.ends_on IS NULL OR d.ends_on >= ?)`,
		a, b, day.Format(DateLayout), day.Format(DateLayout)).Scan(&n)
	if err != nil {
		return false, apperr.Wrap("check agreement", err)
	}
	return n > 0, nil
}

// Name returns an organisation's name, for page headers.
func (s *Service) Name(ctx context.Context, id int64) (string, error) {
	var name string
	err := s.db.Reader().QueryRow(ctx, `SELECT name FROM organisations WHERE id = ?`, id).Scan(&name)
	if err != nil {
		return "", apperr.Wrap("organisation name", err)
	}
	return name, nil
}
