package directory

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

// flakyFeed serves services as an ORUK feed, paginated, failing the first request for each
// path with a 503, 429 or a stall, so that every record needs a retry.
func flakyFeed(t *testing.T, services map[string][]byte, order []string) *httptest.Server {
	t.Helper()
	var mu sync.Mutex
	tried := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		tried[r.URL.String()]++
		n, first := tried[r.URL.String()], len(tried)
		mu.Unlock()
		if n == 1 {
			switch first % 3 {
			case 0:
				w.Header().Set("Retry-After", "0")
				http.Error(w, "slow down", http.StatusTooManyRequests)
			case 1:
				http.Error(w, "try later", http.StatusServiceUnavailable)
			default:
				time.Sleep(300 * time.Millisecond) // past the client's timeout
			}
			return
		}
		if id, ok := strings.CutPrefix(r.URL.Path, "/oruk/services/"); ok {
			b, found := services[id]
			if !found {
				http.NotFound(w, r)
				return
			}
			w.Write(b)
			return
		}
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		size, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
		from, to := min((page-1)*size, len(order)), min(page*size, len(order))
		var contents []json.RawMessage
		for _, id := range order[from:to] {
			contents = append(contents, json.RawMessage(fmt.Sprintf(`{"id": %q, "name": "listed"}`, id)))
		}
		pages := (len(order) + size - 1) / size
		json.NewEncoder(w).Encode(map[string]any{"total_items": len(order), "total_pages": pages, "page_number": page,
			"size": size, "first_page": page == 1, "last_page": page >= pages, "empty": len(contents) == 0, "contents": contents})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestImportLiveFeedWalksPagesRetriesAndRecordsTheFeed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := New(db)
		services := map[string][]byte{}
		var order []string
		for i := range 7 {
			s := activity(10*(i+1), fmt.Sprintf("Activity %d", i))
			services[s.ID], order = marshal(t, s), append(order, s.ID)
		}
		full := []byte(fixture(t, "service_full.json"))
		services[recordID(full)], order = full, append(order, recordID(full))
		order = append(order, uid(999)) // listed, but gone when fetched
		srv := flakyFeed(t, services, order)
		feed := Feed{URL: srv.URL + "/oruk/", Client: &http.Client{Timeout: 100 * time.Millisecond},
			Backoff: time.Millisecond, PerPage: 3}
		sum, err := d.Import(t.Context(), feed.URL, feed, ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Total != 9 || sum.Created != 8 || sum.Rejected != 1 || !strings.Contains(sum.Rejections[0].String(), uid(999)+": fetch") ||
			!strings.Contains(sum.Rejections[0].Reason, "404") {
			t.Fatalf("summary %+v, want 8 created and the missing one rejected", sum)
		}
		var source string
		db.Reader().QueryRow(t.Context(), `SELECT source FROM dir_services WHERE id = ?`, recordID(full)).Scan(&source)
		if source != feed.URL {
			t.Errorf("source %q, want the feed's URL", source)
		}
		sum, err = d.Import(t.Context(), feed.URL, feed, ImportOptions{})
		if err != nil || sum.Unchanged != 8 || sum.Created+sum.Updated != 0 {
			t.Errorf("second import %+v %v, want all unchanged", sum, err)
		}
	})
}

func TestImportLiveFeedFailsWhenItsListCannotBeRead(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusBadGateway)
	}))
	defer srv.Close()
	d := New(storetest.SQLite(t))
	_, err := d.Import(t.Context(), srv.URL, Feed{URL: srv.URL, Backoff: time.Millisecond, Attempts: 3}, ImportOptions{})
	if err == nil || !strings.Contains(err.Error(), "502 Bad Gateway") {
		t.Errorf("error %v, want the list's failure", err)
	}
}

func TestRetryAfter(t *testing.T) {
	for in, want := range map[string]time.Duration{"": 0, "3": 3 * time.Second, "86400": maxRetryAfter, "soon": 0} {
		if got := parseRetryAfter(in); got != want {
			t.Errorf("Retry-After %q gave %v, want %v", in, got, want)
		}
	}
}

// TestImportLiveFeedStopsReadingAHugeRecord: a feed that sends a 64 MiB record is read only to
// one byte past the limit, and hung up on, and the record is rejected as too big while the rest load.
func TestImportLiveFeedStopsReadingAHugeRecord(t *testing.T) {
	ok := activity(10, "Walking group")
	hugeID := uid(77)
	var sent int64
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/services":
			json.NewEncoder(w).Encode(map[string]any{"total_items": 2, "total_pages": 1, "page_number": 1, "size": 2,
				"first_page": true, "last_page": true, "empty": false,
				"contents": []map[string]string{{"id": ok.ID}, {"id": hugeID}}})
		case "/services/" + ok.ID:
			w.Write(marshal(t, ok))
		case "/services/" + hugeID:
			chunk := []byte(strings.Repeat("x", 64<<10))
			for range (64 * MaxRecordBytes) / len(chunk) {
				n, err := w.Write(chunk)
				mu.Lock()
				sent += int64(n)
				mu.Unlock()
				if err != nil {
					return
				}
			}
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	d := New(storetest.SQLite(t))
	sum, err := d.Import(t.Context(), srv.URL, Feed{URL: srv.URL, Backoff: time.Millisecond}, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Created != 1 || sum.Rejected != 1 || !strings.Contains(sum.Rejections[0].Reason, "a service may be at most") {
		t.Fatalf("summary %+v, want the walking group created and the huge record rejected as too big", sum)
	}
	srv.Close() // waits for the handler, which stops when the importer hangs up
	if sent >= 32*MaxRecordBytes {
		t.Errorf("the importer read %d bytes of a record it rejects at %d", sent, MaxRecordBytes)
	}
}
