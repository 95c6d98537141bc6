package fhir

import (
	"net/http"
	"strings"
)

// The write interactions' HTTP side: reading the body and the headers that go with it.

// idempotencyKey reads the Idempotency-Key header, which must be short and printable.
func idempotencyKey(r *http.Request) (string, error) {
	k := strings.TrimSpace(r.Header.Get("Idempotency-Key"))
	if len(k) > 255 || strings.ContainsFunc(k, func(c rune) bool { return c < 0x20 || c > 0x7e }) {
		return "", badRequest("value", "", "Idempotency-Key must be up to 255 printable characters, such as a UUID")
	}
	return k, nil
}

func (h *Handler) transaction(w http.ResponseWriter, r *http.Request, who Caller) {
	h.write(w, r, func(body []byte, key string) (Reply, error) {
		return h.fhir.Transaction(r.Context(), who, body, key)
	})
}

func (h *Handler) processMessage(w http.ResponseWriter, r *http.Request, who Caller) {
	h.write(w, r, func(body []byte, key string) (Reply, error) {
		return h.fhir.ProcessMessage(r.Context(), who, body, key, h.base(r))
	})
}

// write reads a body and an idempotency key, and answers with what do made of them.
func (h *Handler) write(w http.ResponseWriter, r *http.Request, do func(body []byte, key string) (Reply, error)) {
	body, err := readBody(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	key, err := idempotencyKey(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	reply, err := do(body, key)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeRaw(w, reply.Status, reply.Body)
}

func (h *Handler) updateTask(w http.ResponseWriter, r *http.Request, who Caller) {
	h.editTask(w, r, who, false)
}

func (h *Handler) patchTask(w http.ResponseWriter, r *http.Request, who Caller) {
	h.editTask(w, r, who, true)
}

func (h *Handler) editTask(w http.ResponseWriter, r *http.Request, who Caller, patch bool) {
	var body []byte
	var err error
	if patch {
		body, err = readBody(r, "application/json-patch+json")
	} else {
		body, err = readBody(r)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	t, err := h.fhir.UpdateTask(r.Context(), who, TaskEdit{ID: r.PathValue("id"), IfMatch: r.Header.Get("If-Match"), Body: body, Patch: patch})
	h.answer(w, r, t, t.Meta, err)
}
