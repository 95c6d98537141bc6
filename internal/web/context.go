package web

import (
	"context"
	"net"
	"net/http"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/audit"
)

// reqState is what the middleware learns about a request, shared with the handlers through
// the request's context.
type reqState struct {
	id      string
	nonce   string
	route   string
	user    account.User
	session account.Session
	signed  bool // a usable session: password and, where enrolled, second factor passed
	pending bool // the password passed but the second factor is still to come
}

type stateKey struct{}

func withState(r *http.Request, st *reqState) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), stateKey{}, st))
}

func state(r *http.Request) *reqState {
	if st, ok := r.Context().Value(stateKey{}).(*reqState); ok {
		return st
	}
	return &reqState{}
}

// clientAddress is the peer's IP address. Linkwell does not trust X-Forwarded-For: a
// deployment behind a proxy should terminate there and set the address itself.
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// actor is the signed-in user as the audit log records them.
func actor(r *http.Request) audit.Actor {
	st := state(r)
	if st.user.ID == 0 {
		return audit.Actor{Label: "anonymous", Address: clientAddress(r)}
	}
	return account.Actor(st.user, clientAddress(r))
}
