package directory

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Feed is a live ORUK 3.0 feed at a base URL (the one whose /services lists services). It
// walks every page of /services, then fetches each /services/{id}, a few at a time, retrying
// a request that timed out or was answered 429 or 5xx with exponential backoff, honouring
// Retry-After.
type Feed struct {
	URL         string
	Client      *http.Client  // nil for one with a 30-second timeout
	Concurrency int           // requests at once; 0 for 4
	Attempts    int           // tries per request; 0 for 5
	Backoff     time.Duration // the first wait between tries, doubling; 0 for half a second
	PerPage     int           // services a list page asks for; 0 for MaxPageSize
}

// maxRetryAfter caps how long a Retry-After may make an import wait.
const maxRetryAfter = time.Minute

// Read lists the feed's services and sends each full record. A record that cannot be fetched
// is rejected; a list page that cannot be fetched fails the import, since the list is then
// unknown.
func (f Feed) Read(ctx context.Context, r Receiver) error {
	ids, err := f.listIDs(ctx, r)
	if err != nil {
		return err
	}
	r.Expect(len(ids))
	return f.fetchAll(ctx, ids, r)
}

func (f Feed) base() string { return strings.TrimRight(f.URL, "/") }

// listIDs walks the pages of /services and returns every service id, each once.
func (f Feed) listIDs(ctx context.Context, r Receiver) ([]string, error) {
	var ids []string
	seen := map[string]bool{}
	for page := 1; ; page++ {
		u := fmt.Sprintf("%s/services?page=%d&per_page=%d", f.base(), page, cmp.Or(f.PerPage, MaxPageSize))
		b, err := f.get(ctx, u, maxPageBytes)
		if err != nil {
			return nil, fmt.Errorf("list services: %w", err)
		}
		var p struct {
			TotalPages int               `json:"total_pages"`
			LastPage   bool              `json:"last_page"`
			Contents   []json.RawMessage `json:"contents"`
		}
		if err := json.Unmarshal(b, &p); err != nil {
			return nil, fmt.Errorf("list services: %s is not an ORUK page: %v", u, feedJSONError(err))
		}
		for i, item := range p.Contents {
			id := recordID(item)
			if id == "" {
				err := r.Receive(ctx, Record{Where: fmt.Sprintf("%s, item %d", u, i+1), Err: errors.New("listed without an id")})
				if err != nil {
					return nil, err
				}
				continue
			}
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		if p.LastPage || page >= p.TotalPages || len(p.Contents) == 0 {
			return ids, nil
		}
	}
}

// fetchAll fetches each full record with f.Concurrency workers and sends them to r in turn.
func (f Feed) fetchAll(ctx context.Context, ids []string, r Receiver) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	todo := make(chan string)
	done := make(chan Record)
	var wg sync.WaitGroup
	for range cmp.Or(f.Concurrency, 4) {
		wg.Go(func() {
			for id := range todo {
				u := f.base() + "/services/" + url.PathEscape(id)
				// One byte over the limit is enough for the record to be rejected as too big.
				b, err := f.get(ctx, u, MaxRecordBytes+1)
				select {
				case done <- Record{ID: id, Where: u, JSON: b, Err: err}:
				case <-ctx.Done():
					return
				}
			}
		})
	}
	go func() {
		defer close(todo)
		for _, id := range ids {
			select {
			case todo <- id:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(done) }()
	for rec := range done {
		if err := r.Receive(ctx, rec); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// maxPageBytes bounds one list page of a live feed, which lists one-to-one fields only.
const maxPageBytes = 64 << 20

// get fetches u, retrying what may pass, and returns at most limit bytes of the body.
func (f Feed) get(ctx context.Context, u string, limit int64) ([]byte, error) {
	client := f.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	wait := cmp.Or(f.Backoff, 500*time.Millisecond)
	var err error
	for attempt := 1; ; attempt++ {
		var b []byte
		var retryAfter time.Duration
		b, retryAfter, err = getOnce(ctx, client, u, limit)
		if err == nil || retryAfter < 0 || attempt >= cmp.Or(f.Attempts, 5) {
			return b, err
		}
		select {
		case <-time.After(max(wait, retryAfter)):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		wait *= 2
	}
}

// getOnce makes one request. retryAfter is negative when trying again would not help, and
// otherwise the wait the server asked for, if any.
func getOnce(ctx context.Context, client *http.Client, u string, limit int64) (b []byte, retryAfter time.Duration, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, -1, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, -1, err
		}
		return nil, 0, fmt.Errorf("fetch %s: %w", u, err) // timeouts and dropped connections may pass
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		err := fmt.Errorf("fetch %s: %s", u, resp.Status)
		if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
			return nil, parseRetryAfter(resp.Header.Get("Retry-After")), err
		}
		return nil, -1, err
	}
	b, err = io.ReadAll(io.LimitReader(resp.Body, limit))
	if err != nil {
		return nil, 0, fmt.Errorf("fetch %s: %w", u, err)
	}
	return b, 0, nil
}

// parseRetryAfter reads a Retry-After of seconds or an HTTP date, capped at maxRetryAfter.
func parseRetryAfter(v string) time.Duration {
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s > 0 {
		return min(time.Duration(s)*time.Second, maxRetryAfter)
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(time.Until(t), 0), maxRetryAfter)
	}
	return 0
}
