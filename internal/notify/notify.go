// Package notify tells staff that something needs them: in-app notifications written in the
// caller's transaction, and emails sent through a pluggable Mailer once that transaction has
// committed. Neither carries personal data about the person concerned: a notification names
// what happened and links to the record, where access is checked as usual.
package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/store"
)

// Kind says what a notification is about, as a code: "safeguarding.concern".
type Kind string

// Notification is one in-app message to a user.
type Notification struct {
	ID        int64
	UserID    int64
	Kind      Kind
	Subject   string
	Link      string // a path inside Linkwell, such as /cases/12
	CreatedAt time.Time
	ReadAt    *time.Time
}

// Notify adds a notification for a user in the caller's transaction, so that it exists exactly
// when the change it announces does. Subject must not hold personal data about a person.
func Notify(ctx context.Context, c store.Conn, userID int64, kind Kind, subject, link string) error {
	if !strings.HasPrefix(link, "/") {
		return fmt.Errorf("notify: link %q is not a path inside Linkwell", link)
	}
	_, err := c.Exec(ctx, `INSERT INTO notifications (user_id, kind, subject, link, created_at) VALUES (?, ?, ?, ?, ?)`,
		userID, kind, subject, link, store.Now())
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	return nil
}

// Inbox reads and clears users' notifications.
type Inbox struct {
	db *store.DB
}

// NewInbox returns an Inbox over db.
func NewInbox(db *store.DB) *Inbox { return &Inbox{db: db} }

// Unread lists a user's unread notifications, newest first.
func (in *Inbox) Unread(ctx context.Context, userID int64) ([]Notification, error) {
	rows, err := in.db.Reader().Query(ctx, `SELECT id, user_id, kind, subject, link, created_at, read_at
		FROM notifications WHERE user_id = ? AND read_at IS NULL ORDER BY created_at DESC, id DESC`, userID)
	if err != nil {
		return nil, apperr.Wrap("unread notifications", err)
	}
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		var n Notification
		var read sql.NullTime
		if err := rows.Scan(&n.ID, &n.UserID, &n.Kind, &n.Subject, &n.Link, &n.CreatedAt, &read); err != nil {
			return nil, apperr.Wrap("unread notifications", err)
		}
		if read.Valid {
			n.ReadAt = &read.Time
		}
		out = append(out, n)
	}
	return out, apperr.Wrap("unread notifications", rows.Err())
}

// MarkRead marks one of the user's own notifications read. Someone else's is not found.
func (in *Inbox) MarkRead(ctx context.Context, userID, id int64) error {
	err := in.db.Tx(ctx, func(c store.Conn) error {
		var read sql.NullTime
		err := c.QueryRow(ctx, `SELECT read_at FROM notifications WHERE id = ? AND user_id = ?`, id, userID).Scan(&read)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "No notification was found")
		}
		if err != nil || read.Valid {
			return err // reading it twice is harmless
		}
		_, err = c.Exec(ctx, `UPDATE notifications SET read_at = ? WHERE id = ?`, store.Now(), id)
		return err
	})
	return apperr.Wrap("mark notification read", err)
}

// MarkAllRead marks every unread notification of the user read.
func (in *Inbox) MarkAllRead(ctx context.Context, userID int64) error {
	_, err := in.db.Exec(ctx, `UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL`, store.Now(), userID)
	return apperr.Wrap("mark notifications read", err)
}
