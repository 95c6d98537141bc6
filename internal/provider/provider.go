// Package provider is the community provider's side of Linkwell (DESIGN §2): a group or charity
// keeps its own directory listings current and answers the connections link workers make to
// its services, signed in or, without an account, through a single-use link sent by email.
//
// A Linkwell organisation keeps the listings of the directory organisations it is linked to
// (org_directory_links, keyed by the directory organisation's source and id so that the link
// survives re-imports). An administrator or a service lead sets the link. A provider sees only
// what a connection needs (DESIGN §4): the person's first name and initial, who referred them
// and when, the support offered for the first session, and how to contact them only where
// they consented to contact by community providers. Every such read is audited.
package provider

import (
	"time"

	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/directory"
	"github.com/linkwell/linkwell/internal/store"
)

// Service is the community provider's side of Linkwell.
type Service struct {
	db    *store.DB
	cases *casework.Service
	dir   *directory.Directory
	now   func() time.Time
}

// NewService returns a Service over db that answers connections through cases and reads
// listings from dir.
func NewService(db *store.DB, cases *casework.Service, dir *directory.Directory) *Service {
	return &Service{db: db, cases: cases, dir: dir, now: time.Now}
}
