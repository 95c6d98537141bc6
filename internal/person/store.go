package person

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/store"
)

const personColumns = `id, COALESCE(nhs_number, ''), given_name, family_name, date_of_birth, sex, gender,
	ethnic_category, postcode, address, phone, email, contact_methods, do_not_contact, preferred_language,
	interpreter_needed, accessibility_needs, practice_ods, carer_status, created_at, updated_at, version`

func scanPerson(row interface{ Scan(...any) error }) (Person, error) {
	var p Person
	var methods string
	err := row.Scan(&p.ID, &p.NHSNumber, &p.GivenName, &p.FamilyName, &p.DateOfBirth, &p.Sex, &p.Gender,
		&p.EthnicCategory, &p.Postcode, &p.Address, &p.Phone, &p.Email, &methods, &p.DoNotContact,
		&p.PreferredLanguage, &p.InterpreterNeeded, &p.AccessibilityNeeds, &p.PracticeODS, &p.CarerStatus,
		&p.CreatedAt, &p.UpdatedAt, &p.Version)
	if err != nil {
		return Person{}, err
	}
	for _, m := range strings.Split(methods, ",") {
		if m != "" {
			p.ContactMethods = append(p.ContactMethods, ContactMethod(m))
		}
	}
	return p, nil
}

func joinMethods(ms []ContactMethod) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = string(m)
	}
	return strings.Join(parts, ",")
}

func getPerson(ctx context.Context, c store.Conn, id int64) (Person, error) {
	p, err := scanPerson(c.QueryRow(ctx, `SELECT `+personColumns+` FROM people WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Person{}, apperr.New(apperr.NotFound, "No person was found")
	}
	if err != nil {
		return Person{}, fmt.Errorf("get person: %w", err)
	}
	return p, nil
}

func nullNHS(n NHSNumber) any {
	if n == "" {
		return nil
	}
	return string(n)
}

func insertPerson(ctx context.Context, c store.Conn, p Person) (int64, error) {
	now := store.Now()
	var id int64
	err := c.QueryRow(ctx, `INSERT INTO people (nhs_number, given_name, family_name, date_of_birth, sex, gender,
		ethnic_category, postcode, address, phone, email, contact_methods, do_not_contact, preferred_language,
		interpreter_needed, accessibility_needs, practice_ods, carer_status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		nullNHS(p.NHSNumber), p.GivenName, p.FamilyName, p.DateOfBirth, p.Sex, p.Gender, p.EthnicCategory,
		p.Postcode, p.Address, p.Phone, p.Email, joinMethods(p.ContactMethods), p.DoNotContact, p.PreferredLanguage,
		p.InterpreterNeeded, p.AccessibilityNeeds, p.PracticeODS, p.CarerStatus, now, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert person: %w", err)
	}
	return id, nil
}

func updatePerson(ctx context.Context, c store.Conn, id int64, p Person) error {
	res, err := c.Exec(ctx, `UPDATE people SET nhs_number = ?, given_name = ?, family_name = ?, date_of_birth = ?,
		sex = ?, gender = ?, ethnic_category = ?, postcode = ?, address = ?, phone = ?, email = ?, contact_methods = ?,
		do_not_contact = ?, preferred_language = ?, interpreter_needed = ?, accessibility_needs = ?, practice_ods = ?,
		carer_status = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?`,
		nullNHS(p.NHSNumber), p.GivenName, p.FamilyName, p.DateOfBirth, p.Sex, p.Gender, p.EthnicCategory,
		p.Postcode, p.Address, p.Phone, p.Email, joinMethods(p.ContactMethods), p.DoNotContact, p.PreferredLanguage,
		p.InterpreterNeeded, p.AccessibilityNeeds, p.PracticeODS, p.CarerStatus, store.Now(), id, p.Version)
	if err != nil {
		return fmt.Errorf("update person: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("update person: %w", err)
	}
	if n == 0 {
		if _, err := getPerson(ctx, c, id); err != nil {
			return err
		}
		return apperr.New(apperr.Conflict, "Someone else changed this person's details while you were editing them. Check their changes, then make yours again.")
	}
	return nil
}

// candidates returns everyone born on a day, and everyone with an NHS number, for matching.
func candidates(ctx context.Context, c store.Conn, dob string, nhs NHSNumber) ([]Person, error) {
	// First the names, numbers and dates alone, which the index holds; then whole records only
	// for those that match, which is usually none.
	rows, err := c.Query(ctx, `SELECT id, COALESCE(nhs_number, ''), given_name, family_name, date_of_birth FROM people
		WHERE date_of_birth = ? OR (nhs_number = ? AND nhs_number IS NOT NULL)
		ORDER BY family_name, given_name, id LIMIT 200`, dob, string(nhs))
	if err != nil {
		return nil, fmt.Errorf("find people: %w", err)
	}
	defer rows.Close()
	var out []Person
	for rows.Next() {
		var p Person
		if err := rows.Scan(&p.ID, &p.NHSNumber, &p.GivenName, &p.FamilyName, &p.DateOfBirth); err != nil {
			return nil, fmt.Errorf("find people: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// wholeRecords reads the full record of each match, in place.
func wholeRecords(ctx context.Context, c store.Conn, ms []Match) error {
	for i := range ms {
		p, err := scanPerson(c.QueryRow(ctx, `SELECT `+personColumns+` FROM people WHERE id = ?`, ms[i].Person.ID))
		if err != nil {
			return fmt.Errorf("find people: %w", err)
		}
		ms[i].Person = p
	}
	return nil
}
