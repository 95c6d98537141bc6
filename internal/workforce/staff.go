package workforce

import (
	"context"
	"fmt"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/store"
)

// StaffMember is one line of an organisation's staff list.
type StaffMember struct {
	UserID      int64
	Name        string
	Roles       []account.Role
	Profession  Profession
	Band        string
	Capacity    int
	Supervisors []Link
}

// Staff lists the enabled users of an organisation with their profiles and supervisors, by
// name, for a service lead there or an administrator.
func (s *Service) Staff(ctx context.Context, by account.User, orgID int64) ([]StaffMember, error) {
	if !mayManage(by, orgID) {
		return nil, errNotYourStaff
	}
	return read(ctx, s.db, "staff", func(c store.Conn) ([]StaffMember, error) {
		out, err := listStaff(ctx, c, orgID)
		if err != nil {
			return nil, err
		}
		at := map[int64]int{}
		for i, m := range out {
			at[m.UserID] = i
		}
		if err := eachRow(ctx, c, `SELECT r.user_id, r.role FROM user_roles r JOIN users u ON u.id = r.user_id
			WHERE u.organisation_id = ? ORDER BY r.role`, []any{orgID}, func(scan func(...any) error) error {
			var id int64
			var role account.Role
			if err := scan(&id, &role); err != nil {
				return err
			}
			if i, ok := at[id]; ok {
				out[i].Roles = append(out[i].Roles, role)
			}
			return nil
		}); err != nil {
			return nil, fmt.Errorf("staff roles: %w", err)
		}
		links, err := listLinks(ctx, c, `ee.organisation_id = ?`, orgID)
		for _, l := range links {
			if i, ok := at[l.SuperviseeID]; ok {
				out[i].Supervisors = append(out[i].Supervisors, l)
			}
		}
		return out, err
	})
}

func listStaff(ctx context.Context, c store.Conn, orgID int64) ([]StaffMember, error) {
	var out []StaffMember
	err := eachRow(ctx, c, `SELECT u.id, u.name, COALESCE(sp.profession, ''), COALESCE(sp.band, ''), COALESCE(sp.capacity, 0)
		FROM users u LEFT JOIN staff_profiles sp ON sp.user_id = u.id
		WHERE u.organisation_id = ? AND u.disabled_at IS NULL ORDER BY u.name, u.id`, []any{orgID}, func(scan func(...any) error) error {
		var m StaffMember
		if err := scan(&m.UserID, &m.Name, &m.Profession, &m.Band, &m.Capacity); err != nil {
			return err
		}
		out = append(out, m)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list staff: %w", err)
	}
	return out, nil
}

// eachRow runs a query and calls fn with each row's Scan.
func eachRow(ctx context.Context, c store.Conn, q string, args []any, fn func(scan func(...any) error) error) error {
	rows, err := c.Query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}
