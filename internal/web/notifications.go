package web

import (
	"net/http"
	"strconv"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/notify"
)

// This file holds the signed-in user's notifications: what needs them, each linking to the
// record where access is checked as usual.

func (s *Server) notificationRoutes() {
	s.mux.HandleFunc("GET /notifications", s.handleNotifications)
	s.mux.HandleFunc("POST /notifications/{id}/read", s.handleNotificationRead)
	s.mux.HandleFunc("POST /notifications/read-all", s.handleNotificationsReadAll)
}

type notificationsPage struct {
	Unread []notify.Notification
}

var notificationNotices = map[string]string{"read": "Marked as read", "all": "All notifications marked as read"}

func (s *Server) handleNotifications(w http.ResponseWriter, r *http.Request) {
	list, err := s.Inbox.Unread(r.Context(), state(r).user.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "Notifications", notificationsPage{Unread: list})
	v.Notice = savedNotice(r, notificationNotices)
	s.render(w, r, http.StatusOK, "notifications", v)
}

func (s *Server) handleNotificationRead(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = s.Inbox.MarkRead(r.Context(), state(r).user.ID, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	redirectSaved(w, r, "/notifications", "read")
}

func (s *Server) handleNotificationsReadAll(w http.ResponseWriter, r *http.Request) {
	if err := s.Inbox.MarkAllRead(r.Context(), state(r).user.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	redirectSaved(w, r, "/notifications", "all")
}

// notificationsLabel is the menu link to the user's notifications, with how many are unread.
// The menu does without the count if it cannot be read.
func (s *Server) notificationsLabel(r *http.Request, u account.User) string {
	list, err := s.Inbox.Unread(r.Context(), u.ID)
	if err != nil || len(list) == 0 {
		return "Notifications"
	}
	return "Notifications (" + strconv.Itoa(len(list)) + " unread)"
}
