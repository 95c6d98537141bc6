package directory

import (
	"context"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/store"
)

// openOrganization keeps out of the open feed an organisation all of whose services are
// internal-only, such as a practice's own team; one with no services yet stays in.
const openOrganization = `(NOT EXISTS (SELECT 1 FROM dir_services s WHERE s.organization_id = dir_organizations.id)
	OR EXISTS (SELECT 1 FROM dir_services s WHERE s.organization_id = dir_organizations.id AND s.internal_only = ?))`

// ListOrganizations returns a page of organisations in order of name, as aud may see them.
func (d *Directory) ListOrganizations(ctx context.Context, aud Audience, p Page) (Results[Organization], error) {
	where, args := ``, []any(nil)
	if aud != Practitioners {
		where, args = ` WHERE `+openOrganization, []any{false}
	}
	res, err := listRecords[Organization](ctx, d.db, `dir_organizations`, where, args, p)
	return res, apperr.Wrap("list organizations", err)
}

// GetOrganization returns one organisation with its identifiers, as aud may see it. Its
// services are listed with ListServices and Filter.OrganizationID.
func (d *Directory) GetOrganization(ctx context.Context, aud Audience, id string) (Organization, error) {
	var o Organization
	err := d.db.ReadTx(ctx, func(c store.Conn) error {
		if err := getRecord(ctx, c, "dir_organizations", "organization", id, &o); err != nil || aud == Practitioners {
			return err
		}
		var open bool
		if err := c.QueryRow(ctx, `SELECT COUNT(*) > 0 FROM dir_organizations WHERE id = ? AND `+openOrganization, id, false).Scan(&open); err != nil {
			return err
		}
		if !open {
			return apperr.New(apperr.NotFound, "No organization has the id %s", id)
		}
		return nil
	})
	return o, apperr.Wrap("get organization", err)
}
