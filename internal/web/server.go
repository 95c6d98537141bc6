// Package web is Linkwell's HTTP interface: server-rendered NHS.UK pages that work without
// JavaScript, a small JSON API, and the operational endpoints.
package web

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/linkwell/linkwell/internal/access"
	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apiclient"
	"github.com/linkwell/linkwell/internal/audit"
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

//go:embed templates
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Deps is everything the web layer calls.
type Deps struct {
	Config    config.Serve
	DB        *store.DB
	Accounts  *account.Service
	Clients   *apiclient.Service
	Orgs      *organisation.Service
	People    *person.Service
	Referrals *referral.Service
	Cases     *casework.Service
	Directory *directory.Directory
	Providers *provider.Service
	Mailer    notify.Mailer // every email Linkwell sends goes through it
	Safety    *safeguarding.Service
	Inbox     *notify.Inbox
	Workforce *workforce.Service
	Outcomes  *outcomes.Service
	Reports   *reports.Service
	FHIR      *fhir.Service
	Policy    *access.Policy
	Log       *slog.Logger
	Metrics   *metrics.Registry
	Version   string
}

// Server answers HTTP requests.
type Server struct {
	Deps
	pages   *pages
	static  fs.FS
	mux     *http.ServeMux
	handler http.Handler
	ready   atomic.Bool

	selfReferral *selfReferralGuard
	providerLink *providerLinkGuard
	imports      *directory.Jobs    // directory imports running in the background
	stopImports  context.CancelFunc // stops them, when the server closes
}

// New parses the templates and checks the assets, failing fast if either is broken.
func New(d Deps) (*Server, error) {
	s := &Server{Deps: d, mux: http.NewServeMux(), selfReferral: newSelfReferralGuard(), providerLink: newProviderLinkGuard()}
	var importsCtx context.Context
	importsCtx, s.stopImports = context.WithCancel(context.Background())
	s.imports = directory.NewJobs(importsCtx, d.Directory)
	var err error
	if s.pages, err = parsePages(); err != nil {
		return nil, err
	}
	if s.static, err = fs.Sub(staticFS, "static"); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	if _, err := fs.Stat(s.static, "dist/nhsuk-frontend.min.css"); err != nil {
		return nil, fmt.Errorf("web: the NHS.UK frontend assets are not built into this binary: run `make build` (npm ci && npm run build, then go build)")
	}
	s.routes()
	s.handler = s.middleware(s.mux)
	s.ready.Store(true)
	return s, nil
}

// ServeHTTP makes the server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Close stops the directory imports running in the background, which record that they were
// interrupted, and waits for them to stop.
func (s *Server) Close() {
	s.stopImports()
	s.imports.Wait()
}

// SetReady marks the server ready or not; /readyz reports not ready while shutting down.
func (s *Server) SetReady(ok bool) { s.ready.Store(ok) }

// Housekeeping runs the periodic jobs every interval until ctx ends: it deletes expired
// sessions, escalates referrals left past their service's response time, and ends lapsed
// step-down oversight. A failing job is logged and tried again next time.
func (s *Server) Housekeeping(ctx context.Context, interval time.Duration) {
	every(ctx, interval, s.housekeep)
}

// FoldTallies folds the dashboards' log of changes into their tally every interval until ctx
// ends, so that the log a dashboard adds in stays short. A failure is logged and tried again.
func (s *Server) FoldTallies(ctx context.Context, interval time.Duration) {
	every(ctx, interval, func(ctx context.Context) {
		if _, err := s.Reports.FoldTallies(ctx); err != nil && ctx.Err() == nil {
			s.Log.Error("fold dashboard tallies", "err", err)
		}
	})
}

// every runs job now and then every interval until ctx ends.
func every(ctx context.Context, interval time.Duration, job func(context.Context)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		job(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (s *Server) housekeep(ctx context.Context) {
	if n, err := s.Directory.FillListEntries(ctx); err != nil {
		s.Log.Error("fill directory list entries", "err", err)
	} else if n > 0 {
		s.Log.Info("filled directory list entries", "count", n)
	}
	if n, err := s.Accounts.PurgeSessions(ctx); err != nil {
		s.Log.Error("purge sessions", "err", err)
	} else if n > 0 {
		s.Log.Info("purged expired sessions", "count", n)
	}
	if n, err := s.Clients.PurgeExpired(ctx); err != nil {
		s.Log.Error("purge api tokens", "err", err)
	} else if n > 0 {
		s.Log.Info("purged expired api tokens", "count", n)
	}
	if n, err := s.FHIR.PurgeReplies(ctx); err != nil {
		s.Log.Error("purge fhir idempotency keys", "err", err)
	} else if n > 0 {
		s.Log.Info("purged fhir idempotency keys", "count", n)
	}
	if n, err := s.Referrals.EscalateOverdue(ctx, time.Now()); err != nil {
		s.Log.Error("escalate overdue referrals", "err", err)
	} else if n > 0 {
		s.Log.Info("escalated overdue referrals", "count", n)
	}
	if n, err := s.Workforce.FlagOverdueSupervision(ctx, audit.System); err != nil {
		s.Log.Error("flag overdue supervision", "err", err)
	} else if n > 0 {
		s.Log.Info("flagged overdue supervision", "count", n)
	}
	s.sendProviderLinks(ctx, s.Config.PublicURL)
	if n, err := s.Cases.EndLapsedOversight(ctx, audit.System, time.Now()); err != nil {
		s.Log.Error("end lapsed oversight", "err", err)
	} else if n > 0 {
		s.Log.Info("ended lapsed oversight", "count", n)
	}
}
