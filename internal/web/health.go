package web

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"net/http"
	"time"

	"github.com/linkwell/linkwell/internal/store"
)

// handleHealthz says the process is alive; it touches nothing else.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

// handleReadyz says whether this instance should receive traffic: the database answers, its
// schema is current, and the server is not shutting down.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	status, msg := http.StatusOK, "ready\n"
	switch err := s.checkReady(ctx); {
	case err == nil:
	case errors.As(err, new(store.ErrSchemaBehind)):
		status, msg = http.StatusServiceUnavailable, "not ready: the database schema is behind\n"
	default:
		status, msg = http.StatusServiceUnavailable, "not ready: "+err.Error()+"\n"
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	w.Write([]byte(msg))
}

func (s *Server) checkReady(ctx context.Context) error {
	if !s.ready.Load() {
		return errors.New("shutting down")
	}
	if err := s.DB.Ping(ctx); err != nil {
		return errors.New("the database does not answer")
	}
	return s.DB.CheckSchema(ctx)
}

func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	s.Metrics.Write(w, func() map[string]sql.DBStats {
		wr, rd := s.DB.Stats()
		return map[string]sql.DBStats{"write": wr, "read": rd}
	})
}

// staticHandler serves the embedded assets with long caching: they change only with a new
// binary, and the binary's version is in the asset URLs' query where that matters.
func (s *Server) staticHandler() http.Handler {
	files := http.FileServerFS(s.static)
	images, _ := fs.Sub(s.static, "dist")
	imageFiles := http.FileServerFS(images)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		r2 := r.Clone(r.Context())
		r2.URL.Path = r.URL.Path[len("/assets"):]
		if len(r2.URL.Path) > 8 && r2.URL.Path[:8] == "/images/" {
			imageFiles.ServeHTTP(w, r2)
			return
		}
		files.ServeHTTP(w, r2)
	})
}
