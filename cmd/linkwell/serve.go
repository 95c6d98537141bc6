package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/config"
	"github.com/linkwell/linkwell/internal/demo"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/web"
)

func newLogger(e env, level string) *slog.Logger {
	var l slog.Level
	l.UnmarshalText([]byte(strings.ToUpper(level)))
	return slog.New(slog.NewJSONHandler(e.stderr, &slog.HandlerOptions{Level: l}))
}

func runServe(ctx context.Context, e env, args []string) error {
	cfg, err := config.ParseServe(args, e.getenv, e.stdout)
	if err != nil {
		return err
	}
	log := newLogger(e, cfg.LogLevel)
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.CheckSchema(ctx); err != nil {
		return err
	}
	deps := web.NewDeps(cfg, db, log, version)
	if cfg.Demo {
		loaded, err := demo.LoadIfEmpty(ctx, deps.Accounts, deps.Orgs)
		if err == nil && loaded {
			err = demo.LoadCasework(ctx, demo.Casework{Accounts: deps.Accounts, Orgs: deps.Orgs,
				People: deps.People, Referrals: deps.Referrals, Cases: deps.Cases, Outcomes: deps.Outcomes})
		}
		if err == nil && loaded {
			err = demo.LoadDirectoryWithPostcodes(ctx, db, deps.Directory)
		}
		if err == nil && loaded {
			err = demo.LoadPracticeLists(ctx, deps.Reports)
		}
		if err == nil && loaded {
			err = demo.DateReferralsBeforeContacts(ctx, db)
		}
		if err == nil && loaded {
			err = demo.LoadWorkforce(ctx, demo.Workforce{Accounts: deps.Accounts, Cases: deps.Cases, Work: deps.Workforce})
		}
		if err == nil && loaded {
			err = demo.LoadProviders(ctx, demo.Providers{Accounts: deps.Accounts, Orgs: deps.Orgs, People: deps.People,
				Cases: deps.Cases, Directory: deps.Directory, Providers: deps.Providers})
		}
		if err == nil && loaded {
			err = demo.LoadAPIClients(ctx, deps.Orgs, deps.Clients)
		}
		if err != nil {
			return fmt.Errorf("load demo data: %w", err)
		}
		log.Info("demo mode", "loaded_demo_data", loaded)
		log.Info("demo API clients (secrets in the README)", "gp_client_id", demo.APIClients[0].ClientID, "service_client_id", demo.APIClients[1].ClientID)
	} else if len(cfg.ResearchKey) == 0 {
		log.Warn("no --research-key set: research extracts fall back to the pseudonym key kept in the database")
	}
	if n, err := deps.Directory.FailInterrupted(ctx); err != nil {
		return err
	} else if n > 0 {
		log.Warn("directory imports left running by a server that stopped were marked failed", "count", n)
	}
	srv, err := web.New(deps)
	if err != nil {
		return err
	}
	defer srv.Close()
	return listenAndServe(ctx, cfg, srv, log)
}

// listenAndServe serves until ctx ends, then stops taking requests, lets the ones in flight
// finish, and returns so the caller closes the database.
func listenAndServe(ctx context.Context, cfg config.Serve, srv *web.Server, log *slog.Logger) error {
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	bg, cancel := context.WithCancel(ctx)
	defer cancel()
	go srv.Housekeeping(bg, 10*time.Minute)
	go srv.FoldTallies(bg, 5*time.Second)
	scheme := "http"
	if cfg.TLS() {
		scheme = "https"
	}
	log.Info("listening", "url", scheme+"://"+ln.Addr().String(), "db", dbKind(cfg.DB), "mfa", string(cfg.MFA))
	errc := make(chan error, 1)
	go func() {
		if cfg.TLS() {
			errc <- hs.ServeTLS(ln, cfg.TLSCert, cfg.TLSKey)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight")
	srv.SetReady(false)
	sctx, scancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer scancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

// dbKind names the database without its credentials, for the log.
func dbKind(dsn string) string {
	if store.IsPostgresURL(dsn) {
		return "postgres"
	}
	return "sqlite"
}

func runMigrate(ctx context.Context, e env, args []string) error {
	fs := config.NewFlagSet("migrate")
	dsn := config.DBFlag(fs, e.getenv)
	if err := config.Parse(fs, args, e.stdout); err != nil {
		return err
	}
	db, err := store.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	cur, _, err := db.SchemaStatus(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "applied %d migration(s); schema is at version %d\n", n, cur)
	return nil
}

// openCurrent opens the database named by --db and checks its schema is current.
func openCurrent(ctx context.Context, dsn string) (*store.DB, error) {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := db.CheckSchema(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}
