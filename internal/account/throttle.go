package account

import (
	"sync"
	"time"
)

// Throttle slows repeated failed sign-ins without locking anyone out. It counts failures for
// three keys: the account from one address (strict), the address across all accounts (strict)
// and the account from anywhere (gentle, so that an attacker spraying from many addresses can
// only slow the real user down by seconds, never lock them out).
type Throttle struct {
	mu      sync.Mutex
	entries map[string]*throttleEntry
	now     func() time.Time
}

type throttleEntry struct {
	failures int
	first    time.Time
	until    time.Time
}

type throttleRule struct {
	prefix   string
	free     int           // failures allowed before any delay
	maxDelay time.Duration // the delay doubles per failure up to this
}

var throttleRules = []throttleRule{
	{prefix: "pair:", free: 5, maxDelay: 15 * time.Minute},
	{prefix: "addr:", free: 20, maxDelay: 15 * time.Minute},
	{prefix: "acct:", free: 10, maxDelay: 30 * time.Second},
}

const (
	throttleWindow     = 15 * time.Minute
	throttleMaxEntries = 100_000
)

// NewThrottle returns an empty throttle.
func NewThrottle() *Throttle {
	return &Throttle{entries: map[string]*throttleEntry{}, now: time.Now}
}

func throttleKeys(email, address string) []string {
	return []string{"pair:" + email + "|" + address, "addr:" + address, "acct:" + email}
}

// Wait reports how long the caller must wait before another attempt for this account from this
// address; zero means go ahead.
func (t *Throttle) Wait(email, address string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	var wait time.Duration
	for _, k := range throttleKeys(email, address) {
		if e, ok := t.entries[k]; ok && e.until.After(now) {
			wait = max(wait, e.until.Sub(now))
		}
	}
	return wait
}

// Fail records a failed attempt.
func (t *Throttle) Fail(email, address string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if len(t.entries) >= throttleMaxEntries {
		t.prune(now)
	}
	for i, k := range throttleKeys(email, address) {
		e := t.entries[k]
		if e == nil || now.Sub(e.first) > throttleWindow && !e.until.After(now) {
			e = &throttleEntry{first: now}
			t.entries[k] = e
		}
		e.failures++
		rule := throttleRules[i]
		if over := e.failures - rule.free; over > 0 {
			delay := time.Second << min(over-1, 20)
			e.until = now.Add(min(delay, rule.maxDelay))
		}
	}
}

// Succeed forgets the failures of this account from this address, and nothing else: a real
// user signing in does not clear an attacker's record elsewhere.
func (t *Throttle) Succeed(email, address string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.entries, "pair:"+email+"|"+address)
}

// prune drops entries whose window and delay have both passed; if the table is still full it
// is cleared, because memory must stay bounded under a flood of invented addresses.
func (t *Throttle) prune(now time.Time) {
	for k, e := range t.entries {
		if now.Sub(e.first) > throttleWindow && !e.until.After(now) {
			delete(t.entries, k)
		}
	}
	if len(t.entries) >= throttleMaxEntries {
		clear(t.entries)
	}
}
