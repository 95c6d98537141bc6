package casework

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/store"
)

// Signpost is a light-touch record that a person was given information about one or more
// services (DESIGN F2): no case, no referral, just who was told about what, when and by whom.
type Signpost struct {
	ID          int64
	PersonID    int64
	On          string // YYYY-MM-DD
	GivenBy     int64
	GivenByName string
	Services    []SignpostedService
	CreatedAt   time.Time
}

// SignpostedService is one service a person was told about.
type SignpostedService struct {
	Name         string
	Organisation string
	HowToContact string // phone, address, website, or how to turn up
	Why          string // what it could help with, in words the person will recognise
}

// SignpostInput is what recording signposting takes. Blank rows in Services are skipped; the
// date is today when left blank.
type SignpostInput struct {
	On       person.DateParts
	Services []SignpostedService
}

// MaxSignpostedServices is how many services one signposting record holds.
const MaxSignpostedServices = 20

// validateSignpost explains every problem with the input. Fields of the nth service (from 1)
// are named service_n_name, service_n_organisation and so on.
func (s *Service) validateSignpost(in SignpostInput) (Signpost, error) {
	var errs apperr.Fields
	var sp Signpost
	var msg string
	if sp.On, msg = s.readDate(in.On, "Date", "Enter the date you gave the information", todayIfBlank); msg != "" {
		errs.Add("on", msg)
	}
	for i, sv := range in.Services {
		sv = SignpostedService{Name: strings.TrimSpace(sv.Name), Organisation: strings.TrimSpace(sv.Organisation),
			HowToContact: strings.TrimSpace(sv.HowToContact), Why: strings.TrimSpace(sv.Why)}
		if sv == (SignpostedService{}) {
			continue
		}
		field := fmt.Sprintf("service_%d_", i+1)
		if sv.Name == "" {
			errs.Add(field+"name", "Enter the name of the service")
		}
		limitText(&errs, field+"name", sv.Name, "Name of the service", 200)
		limitText(&errs, field+"organisation", sv.Organisation, "Organisation", 200)
		limitText(&errs, field+"how_to_contact", sv.HowToContact, "How to contact them", 500)
		limitText(&errs, field+"why", sv.Why, "Why it could help", 1000)
		sp.Services = append(sp.Services, sv)
	}
	switch {
	case len(sp.Services) == 0:
		errs.Add("service_1_name", "Enter at least one service you told them about")
	case len(sp.Services) > MaxSignpostedServices:
		errs.Add("services", fmt.Sprintf("Record up to %d services at a time", MaxSignpostedServices))
	}
	return sp, errs.Err()
}

// Signpost records that the signed-in user gave a person information about named services.
func (s *Service) Signpost(ctx context.Context, actor audit.Actor, personID int64, in SignpostInput) (Signpost, error) {
	if actor.UserID == 0 {
		return Signpost{}, apperr.New(apperr.Forbidden, "Sign in as the person who gave the information to record it")
	}
	sp, err := s.validateSignpost(in)
	if err != nil {
		return Signpost{}, err
	}
	err = s.db.Tx(ctx, func(c store.Conn) error {
		if _, err := personName(ctx, c, personID); err != nil {
			return err
		}
		err := c.QueryRow(ctx, `INSERT INTO signposts (person_id, given_on, given_by, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
			personID, sp.On, actor.UserID, store.Now()).Scan(&sp.ID)
		if err != nil {
			return fmt.Errorf("insert signpost: %w", err)
		}
		for i, sv := range sp.Services {
			if _, err := c.Exec(ctx, `INSERT INTO signpost_services (signpost_id, position, name, organisation, how_to_contact, why)
				VALUES (?, ?, ?, ?, ?, ?)`, sp.ID, i+1, sv.Name, sv.Organisation, sv.HowToContact, sv.Why); err != nil {
				return fmt.Errorf("insert signposted service: %w", err)
			}
		}
		ev := audit.Event{Action: "person.signpost", RecordType: "person", RecordID: audit.RecordID(personID),
			Detail: fmt.Sprintf("signpost=%d services=%d", sp.ID, len(sp.Services))}
		if err := audit.Record(ctx, c, actor, ev); err != nil {
			return err
		}
		list, err := listSignposts(ctx, c, `s.id = ?`, sp.ID)
		if err == nil {
			sp = list[0]
		}
		return err
	})
	if err != nil {
		return Signpost{}, apperr.Wrap("signpost", err)
	}
	return sp, nil
}

// Signposting lists the information a person has been given, newest first. Callers audit the
// access with the person's record.
func (s *Service) Signposting(ctx context.Context, personID int64) ([]Signpost, error) {
	var out []Signpost
	err := s.db.ReadTx(ctx, func(c store.Conn) error {
		if _, err := personName(ctx, c, personID); err != nil {
			return err
		}
		var err error
		out, err = listSignposts(ctx, c, `s.person_id = ?`, personID)
		return err
	})
	return out, apperr.Wrap("signposting", err)
}

// SignpostList is what a printed list of services for a person holds.
type SignpostList struct {
	PersonName string
	PreparedOn string // YYYY-MM-DD
	Items      []SignpostListItem
}

// SignpostListItem is one service on a printed list, with when and by whom it was suggested.
type SignpostListItem struct {
	SignpostedService
	GivenOn     string
	GivenByName string
}

// SignpostingList gathers services for a printable list for the person: those in the given
// signposting records, which must be theirs, or with none given, every service they have been
// told about, each once (the latest telling), newest first.
func (s *Service) SignpostingList(ctx context.Context, personID int64, signpostIDs ...int64) (SignpostList, error) {
	list := SignpostList{PreparedOn: s.localToday().Format(dateLayout)}
	err := s.db.ReadTx(ctx, func(c store.Conn) error {
		var err error
		if list.PersonName, err = personName(ctx, c, personID); err != nil {
			return err
		}
		where, args := `s.person_id = ?`, []any{personID}
		if len(signpostIDs) > 0 {
			where += ` AND s.id IN ` + store.In(len(signpostIDs))
			for _, id := range signpostIDs {
				args = append(args, id)
			}
		}
		sps, err := listSignposts(ctx, c, where, args...)
		if err != nil {
			return err
		}
		if len(signpostIDs) > 0 && len(sps) != len(uniqueIDs(signpostIDs)) {
			return apperr.New(apperr.NotFound, "No signposting record was found for this person")
		}
		list.Items = signpostItems(sps)
		return nil
	})
	if err != nil {
		return SignpostList{}, apperr.Wrap("signposting list", err)
	}
	return list, nil
}

// signpostItems flattens signposting records, newest first, into one item per service.
func signpostItems(sps []Signpost) []SignpostListItem {
	seen := map[string]bool{}
	var out []SignpostListItem
	for _, sp := range sps {
		for _, sv := range sp.Services {
			key := strings.ToLower(sv.Name) + "\x00" + strings.ToLower(sv.Organisation)
			if seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, SignpostListItem{SignpostedService: sv, GivenOn: sp.On, GivenByName: sp.GivenByName})
		}
	}
	return out
}

func uniqueIDs(ids []int64) map[int64]bool {
	m := make(map[int64]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

func personName(ctx context.Context, c store.Conn, personID int64) (string, error) {
	var given, family string
	err := c.QueryRow(ctx, `SELECT given_name, family_name FROM people WHERE id = ?`, personID).Scan(&given, &family)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.New(apperr.NotFound, "No person was found")
	}
	if err != nil {
		return "", fmt.Errorf("get person: %w", err)
	}
	return strings.TrimSpace(given + " " + family), nil
}

// listSignposts returns the signposting records that match where, newest first, with their
// services in the order given.
func listSignposts(ctx context.Context, c store.Conn, where string, args ...any) ([]Signpost, error) {
	rows, err := c.Query(ctx, `SELECT s.id, s.person_id, s.given_on, s.given_by, u.name, s.created_at
		FROM signposts s JOIN users u ON u.id = s.given_by WHERE `+where+` ORDER BY s.given_on DESC, s.id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("list signposting: %w", err)
	}
	defer rows.Close()
	var out []Signpost
	at := map[int64]int{}
	for rows.Next() {
		var sp Signpost
		if err := rows.Scan(&sp.ID, &sp.PersonID, &sp.On, &sp.GivenBy, &sp.GivenByName, &sp.CreatedAt); err != nil {
			return nil, fmt.Errorf("list signposting: %w", err)
		}
		at[sp.ID] = len(out)
		out = append(out, sp)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list signposting: %w", err)
	}
	rows.Close()
	srows, err := c.Query(ctx, `SELECT signpost_id, name, organisation, how_to_contact, why FROM signpost_services
		WHERE signpost_id IN (SELECT s.id FROM signposts s WHERE `+where+`) ORDER BY signpost_id, position`, args...)
	if err != nil {
		return nil, fmt.Errorf("list signposted services: %w", err)
	}
	defer srows.Close()
	for srows.Next() {
		var id int64
		var sv SignpostedService
		if err := srows.Scan(&id, &sv.Name, &sv.Organisation, &sv.HowToContact, &sv.Why); err != nil {
			return nil, fmt.Errorf("list signposted services: %w", err)
		}
		if i, ok := at[id]; ok {
			out[i].Services = append(out[i].Services, sv)
		}
	}
	return out, srows.Err()
}
