package provider

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/directory"
	"github.com/linkwell/linkwell/internal/store"
)

// DirectoryOrg is a directory organisation and the Linkwell organisation keeping its listings.
type DirectoryOrg struct {
	Source     string
	ID         string
	Name       string
	Services   int
	KeptBy     int64 // zero when nobody keeps them
	KeptByName string
}

const directoryOrgSelect = `SELECT o.source, o.id, o.name,
	(SELECT COUNT(*) FROM dir_services s WHERE s.source = o.source AND s.organization_id = o.id),
	COALESCE(l.organisation_id, 0), COALESCE(lo.name, '')
	FROM dir_organizations o LEFT JOIN org_directory_links l ON l.dir_source = o.source AND l.dir_organization_id = o.id
	LEFT JOIN organisations lo ON lo.id = l.organisation_id`

// Kept lists the directory organisations whose listings orgID keeps, by name.
func (s *Service) Kept(ctx context.Context, orgID int64) ([]DirectoryOrg, error) {
	out, err := queryDirectoryOrgs(ctx, s.db.Reader(), directoryOrgSelect+` WHERE l.organisation_id = ? ORDER BY o.name, o.pk`, orgID)
	return out, apperr.Wrap("kept listings", err)
}

// FindDirectoryOrgs lists up to 20 directory organisations whose names contain words, by name.
func (s *Service) FindDirectoryOrgs(ctx context.Context, words string) ([]DirectoryOrg, error) {
	words = strings.ToLower(strings.TrimSpace(words))
	if words == "" {
		return nil, nil
	}
	pattern := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(words) + "%"
	out, err := queryDirectoryOrgs(ctx, s.db.Reader(), directoryOrgSelect+` WHERE lower(o.name) LIKE ? ESCAPE '\' ORDER BY o.name, o.pk LIMIT 20`, pattern)
	return out, apperr.Wrap("find directory organisations", err)
}

func queryDirectoryOrgs(ctx context.Context, c store.Conn, query string, args ...any) ([]DirectoryOrg, error) {
	rows, err := c.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("directory organisations: %w", err)
	}
	defer rows.Close()
	var out []DirectoryOrg
	for rows.Next() {
		var o DirectoryOrg
		if err := rows.Scan(&o.Source, &o.ID, &o.Name, &o.Services, &o.KeptBy, &o.KeptByName); err != nil {
			return nil, fmt.Errorf("directory organisations: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// Link makes orgID the keeper of the listings of the directory organisation dirOrgID. A
// directory organisation has one keeper: another's must be unlinked first.
func (s *Service) Link(ctx context.Context, actor audit.Actor, orgID int64, dirOrgID string) error {
	err := s.db.Tx(ctx, func(c store.Conn) error {
		var source string
		err := c.QueryRow(ctx, `SELECT source FROM dir_organizations WHERE id = ?`, dirOrgID).Scan(&source)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "No organisation in the directory has that id")
		}
		if err != nil {
			return fmt.Errorf("find directory organisation: %w", err)
		}
		var keeper string
		err = c.QueryRow(ctx, `SELECT o.name FROM org_directory_links l JOIN organisations o ON o.id = l.organisation_id
			WHERE l.dir_source = ? AND l.dir_organization_id = ?`, source, dirOrgID).Scan(&keeper)
		switch {
		case err == nil:
			return apperr.New(apperr.Conflict, "%s already keeps these listings: unlink them there first", keeper)
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("find keeper: %w", err)
		}
		_, err = c.Exec(ctx, `INSERT INTO org_directory_links (dir_source, dir_organization_id, organisation_id, linked_by, linked_at)
			VALUES (?, ?, ?, ?, ?)`, source, dirOrgID, orgID, nullUser(actor.UserID), store.Now())
		if store.IsForeignKeyViolation(err) {
			return apperr.New(apperr.NotFound, "No organisation was found")
		}
		if err != nil {
			return fmt.Errorf("link listings: %w", err)
		}
		return audit.Record(ctx, c, actor, orgEvent("provider.link", orgID, dirOrgID))
	})
	return apperr.Wrap("link listings", err)
}

// Unlink stops orgID keeping the listings of the directory organisation dirOrgID.
func (s *Service) Unlink(ctx context.Context, actor audit.Actor, orgID int64, dirOrgID string) error {
	err := s.db.Tx(ctx, func(c store.Conn) error {
		res, err := c.Exec(ctx, `DELETE FROM org_directory_links WHERE organisation_id = ? AND dir_organization_id = ?`, orgID, dirOrgID)
		if err != nil {
			return fmt.Errorf("unlink listings: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "This organisation does not keep those listings")
		}
		return audit.Record(ctx, c, actor, orgEvent("provider.unlink", orgID, dirOrgID))
	})
	return apperr.Wrap("unlink listings", err)
}

func orgEvent(action string, orgID int64, dirOrgID string) audit.Event {
	return audit.Event{Action: action, RecordType: "organisation", RecordID: audit.RecordID(orgID),
		Detail: "directory_organization=" + dirOrgID}
}

// keptServices is the directory services (their pk) that the organisation given as its
// argument keeps, read from its links so that only its own services are visited.
const keptServices = `(SELECT ks.pk FROM org_directory_links l JOIN dir_services ks
	ON ks.organization_id = l.dir_organization_id AND ks.source = l.dir_source WHERE l.organisation_id = ?)`

// Keepers lists the Linkwell organisations that keep the listing of a directory service.
func (s *Service) Keepers(ctx context.Context, serviceID string) ([]int64, error) {
	out, err := column[int64](ctx, s.db.Reader(), `SELECT l.organisation_id FROM dir_services s JOIN org_directory_links l
		ON l.dir_source = s.source AND l.dir_organization_id = s.organization_id WHERE s.id = ?`, serviceID)
	return out, apperr.Wrap("keepers", err)
}

// Listings returns the services orgID keeps, fully nested, by name.
func (s *Service) Listings(ctx context.Context, orgID int64) ([]directory.Service, error) {
	ids, err := column[string](ctx, s.db.Reader(), `SELECT s.id FROM dir_services s WHERE s.pk IN `+keptServices+`
		ORDER BY s.name, s.pk`, orgID)
	if err != nil {
		return nil, apperr.Wrap("listings", err)
	}
	found, err := s.dir.GetServices(ctx, directory.Practitioners, ids)
	if err != nil {
		return nil, err
	}
	out := make([]directory.Service, 0, len(ids))
	for _, id := range ids {
		if sv, ok := found[id]; ok {
			out = append(out, sv)
		}
	}
	return out, nil
}

// column runs a query of one column and returns its values in order.
func column[T any](ctx context.Context, c store.Conn, query string, args ...any) ([]T, error) {
	rows, err := c.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func nullUser(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
