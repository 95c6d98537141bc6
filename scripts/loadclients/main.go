// Command loadclients puts signed-in people in front of one page: each client is a browser
// with its own session that asks for the page, reads it, waits a moment as a person does, and
// asks again. It reports the latencies the clients saw. Unlike wrk, whose connections ask
// again the instant an answer arrives, this measures the page at a given number of people
// using it, not the server's maximum throughput.
//
//	go run ./scripts/loadclients -url http://127.0.0.1:8080/caseload -cookies cookies.txt \
//	  -clients 100 -think 1s -duration 30s
//
// The cookies file has one "name=value" session cookie per line; client i uses line i modulo
// the number of lines.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

func main() {
	url := flag.String("url", "", "the page to ask for")
	cookieFile := flag.String("cookies", "", "file of session cookies, one per line")
	clients := flag.Int("clients", 100, "how many people at once")
	think := flag.Duration("think", time.Second, "average pause between one answer and the next request (0 for none)")
	duration := flag.Duration("duration", 30*time.Second, "how long to run")
	flag.Parse()
	if err := run(*url, *cookieFile, *clients, *think, *duration); err != nil {
		fmt.Fprintln(os.Stderr, "loadclients:", err)
		os.Exit(1)
	}
}

func run(url, cookieFile string, clients int, think, duration time.Duration) error {
	if url == "" || cookieFile == "" || clients < 1 {
		return fmt.Errorf("give -url, -cookies and -clients of at least 1")
	}
	cookies, err := readLines(cookieFile)
	if err != nil {
		return err
	}
	transport := &http.Transport{MaxIdleConnsPerHost: clients}
	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()
	var mu sync.Mutex
	var took []time.Duration
	failures := 0
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			c := &http.Client{Transport: transport, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			// Start at a random moment in the first pause, so that clients do not arrive together.
			pause(ctx, time.Duration(rand.Int64N(int64(think)+1)))
			for ctx.Err() == nil {
				d, ok := fetch(ctx, c, url, cookies[i%len(cookies)])
				if ctx.Err() != nil {
					return
				}
				mu.Lock()
				if ok {
					took = append(took, d)
				} else {
					failures++
				}
				mu.Unlock()
				pause(ctx, think/2+time.Duration(rand.Int64N(int64(think)+1)))
			}
		})
	}
	wg.Wait()
	if len(took) == 0 {
		return fmt.Errorf("no request succeeded (%d failed)", failures)
	}
	slices.Sort(took)
	at := func(q float64) time.Duration { return took[min(len(took)-1, int(q*float64(len(took))))] }
	fmt.Printf("clients %d, think %s, %s: %d pages (%.0f/s), %d failed\n", clients, think, duration, len(took),
		float64(len(took))/duration.Seconds(), failures)
	fmt.Printf("p50 %s  p90 %s  p99 %s  max %s\n", at(0.50).Round(10*time.Microsecond), at(0.90).Round(10*time.Microsecond),
		at(0.99).Round(10*time.Microsecond), took[len(took)-1].Round(10*time.Microsecond))
	if failures > 0 {
		return fmt.Errorf("%d requests failed", failures)
	}
	return nil
}

// fetch asks for the page as a signed-in client and reads the whole answer.
func fetch(ctx context.Context, c *http.Client, url, cookie string) (time.Duration, bool) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, false
	}
	req.Header.Set("Cookie", cookie)
	start := time.Now()
	res, err := c.Do(req)
	if err != nil {
		return 0, false
	}
	_, err = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return time.Since(start), err == nil && res.StatusCode == http.StatusOK
}

func pause(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			out = append(out, line)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s has no cookies", path)
	}
	return out, sc.Err()
}
