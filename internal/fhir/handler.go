package fhir

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/apiclient"
)

// Handler serves the FHIR interface under /fhir: every interaction in the table in
// capability.go, each behind a bearer token except the CapabilityStatement.
type Handler struct {
	fhir    *Service
	clients *apiclient.Service
	log     *slog.Logger
	version string
	// base is this server's FHIR base URL as the client reached it, for links and fullUrls.
	base func(*http.Request) string
	// address is the caller's address for the audit log.
	address func(*http.Request) string
	mux     *http.ServeMux
}

// NewHandler routes every interaction the CapabilityStatement declares, and nothing else.
func NewHandler(s *Service, clients *apiclient.Service, log *slog.Logger, version string, base, address func(*http.Request) string) *Handler {
	h := &Handler{fhir: s, clients: clients, log: log, version: version, base: base, address: address, mux: http.NewServeMux()}
	h.mux.HandleFunc("GET /fhir/metadata", h.metadata)
	for _, in := range interactions {
		h.mux.HandleFunc(in.Method+" "+in.Path, h.authenticated(in.serve))
	}
	return h
}

const contentType = "application/fhir+json; charset=utf-8"

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, pattern := h.mux.Handler(r); pattern != "" {
		h.mux.ServeHTTP(w, r)
		return
	}
	if h.pathKnown(r) {
		w.Header().Set("Allow", strings.Join(h.allowed(r), ", "))
		h.fail(w, r, problem(http.StatusMethodNotAllowed, "not-supported", "", "This server does not support %s here", r.Method))
		return
	}
	h.fail(w, r, notFound("", "This server has no %s: see /fhir/metadata for what it supports", r.URL.Path))
}

func (h *Handler) allowed(r *http.Request) []string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		r2 := r.Clone(r.Context())
		r2.Method = m
		if _, p := h.mux.Handler(r2); p != "" {
			out = append(out, m)
		}
	}
	return out
}

func (h *Handler) pathKnown(r *http.Request) bool { return len(h.allowed(r)) > 0 }

// authenticated finds the client behind the bearer token, or answers 401.
func (h *Handler) authenticated(serve func(*Handler, http.ResponseWriter, *http.Request, Caller)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="linkwell"`)
			h.fail(w, r, problem(http.StatusUnauthorized, "login", "", "Send a bearer token from POST /oauth/token in the Authorization header"))
			return
		}
		p, err := h.clients.Authenticate(r.Context(), strings.TrimSpace(token))
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="linkwell", error="invalid_token"`)
			h.fail(w, r, err)
			return
		}
		who := Caller{Principal: p, Address: h.address(r)}
		sw := &statusWriter{ResponseWriter: w}
		serve(h, sw, r, who)
		// Refusals are audited too: every call a client makes is on the record.
		if sw.status >= 400 {
			detail := fmt.Sprintf("route=%q status=%d", pattern(h, r), sw.status)
			if err := h.fhir.audit(r.Context(), who, "fhir.refused", "api_client", p.Client.ID, detail); err != nil {
				h.log.Error("audit a refused fhir request", "err", err)
			}
		}
	}
}

// statusWriter remembers the status written, for the audit of refusals.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// fail answers an error as an OperationOutcome. Unexpected causes are logged, never shown.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	p := asProblem(err, nil)
	if p.Status >= 500 {
		h.log.Error("fhir request failed", "method", r.Method, "path_pattern", pattern(h, r), "err", err)
	}
	writeResource(w, p.Status, p.Outcome())
}

// WriteProblem answers an error that happened before the FHIR handler, such as a body over
// the size limit, as an OperationOutcome.
func WriteProblem(w http.ResponseWriter, status int, code, message string) {
	writeResource(w, status, problem(status, code, "", "%s", message).Outcome())
}

func pattern(h *Handler, r *http.Request) string {
	_, p := h.mux.Handler(r)
	return p
}

func writeResource(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// marshal is json.Marshal without escaping &, < and >, which FHIR JSON has no need of.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

func writeRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	w.Write(body)
}

// readBody reads a FHIR JSON request body.
func readBody(r *http.Request, types ...string) ([]byte, error) {
	if len(types) == 0 {
		types = []string{"application/fhir+json", "application/json"}
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	ok := false
	for _, t := range types {
		ok = ok || mt == t
	}
	if !ok {
		return nil, problem(http.StatusUnsupportedMediaType, "not-supported", "", "Send %s", strings.Join(types, " or "))
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, problem(http.StatusRequestEntityTooLarge, "too-costly", "", "The body could not be read, or is too large")
	}
	return b, nil
}

func (h *Handler) query(r *http.Request) Query {
	return Query{Params: r.URL.Query(), Base: h.base(r)}
}

// answer writes a resource read or searched for, or the error; a resource with a version
// carries it as its ETag.
func (h *Handler) answer(w http.ResponseWriter, r *http.Request, v any, m *Meta, err error) {
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if m != nil && m.VersionID != "" {
		w.Header().Set("ETag", `W/"`+m.VersionID+`"`)
		if t, err := time.Parse(time.RFC3339Nano, m.LastUpdated); err == nil {
			w.Header().Set("Last-Modified", t.UTC().Format(http.TimeFormat))
		}
	}
	writeResource(w, http.StatusOK, v)
}
