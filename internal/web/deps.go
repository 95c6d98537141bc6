package web

import (
	"log/slog"

	"github.com/linkwell/linkwell/internal/access"
	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apiclient"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/config"
	"github.com/linkwell/linkwell/internal/directory"
	"github.com/linkwell/linkwell/internal/fhir"
	"github.com/linkwell/linkwell/internal/metrics"
	"github.com/linkwell/linkwell/internal/notify"
	"github.com/linkwell/linkwell/internal/organisation"
	"github.com/linkwell/linkwell/internal/outcomes"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/provider"
	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/reports"
	"github.com/linkwell/linkwell/internal/safeguarding"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/workforce"
)

// NewDeps builds every service over one database, the same way for the server and its tests.
func NewDeps(cfg config.Serve, db *store.DB, log *slog.Logger, version string) Deps {
	people := person.NewService(db)
	referrals := referral.NewService(db, people)
	cases := casework.NewService(db, referrals)
	orgs := organisation.NewService(db)
	work := workforce.NewService(db, orgs)
	cases.CheckCompetenceWith(work)
	dir := directory.New(db)
	var mailer notify.Mailer = notify.LogMailer{Log: log}
	if cfg.MailDir != "" {
		mailer = notify.DirMailer{Dir: cfg.MailDir}
	}
	policy := access.NewPolicy(log, cases).WithSupervision(work)
	return Deps{
		Config:    cfg,
		DB:        db,
		Accounts:  account.NewService(db),
		Clients:   apiclient.NewService(db),
		Orgs:      orgs,
		People:    people,
		Referrals: referrals,
		Cases:     cases,
		Directory: dir,
		Providers: provider.NewService(db, cases, dir),
		Mailer:    mailer,
		Safety:    safeguarding.NewService(db, mailer, log),
		Inbox:     notify.NewInbox(db),
		Workforce: work,
		Outcomes:  outcomes.NewService(db),
		Reports:   reports.NewService(db).WithResearchKey(cfg.ResearchKey),
		Policy:    policy,
		FHIR:      fhir.NewService(db, people, referrals, cases, orgs, policy),
		Log:       log,
		Metrics:   metrics.New(),
		Version:   version,
	}
}
