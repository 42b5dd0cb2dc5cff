package main

import (
	"bytes"
	"crypto/sha256"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/fulfillkit/fulfill"
)

// responseCache makes POST handlers without an idempotency key of their own
// in the library idempotent: the first response to an (owner, key) pair is
// kept and replayed to retries; a retry with another body is refused. It
// lives in the process: a host running several instances keeps it in its
// database. Orders and stock do not need it: their idempotency keys are
// stored with the data, in the same transaction. Housekeeping drops the
// responses older than the retention (see prune).
type responseCache struct {
	clock   fulfill.Clock
	mu      sync.Mutex // guards entries
	entries map[string]*cachedResponse
}

// cachedResponse is one kept response; done is closed once it is filled.
type cachedResponse struct {
	at     time.Time // when the first attempt arrived
	done   chan struct{}
	digest [sha256.Size]byte
	status int
	header http.Header
	body   []byte
	keep   bool
}

// newResponseCache returns an empty cache dating its entries by clock (nil
// means the system clock).
func newResponseCache(clock fulfill.Clock) *responseCache {
	return &responseCache{clock: clock, entries: map[string]*cachedResponse{}}
}

// prune drops the kept responses to first attempts that arrived before the
// cutoff before, and returns how many it dropped. A retry with a dropped
// key is served as a new request: it runs the handler again, and a body
// different from the first one is no longer refused. Responses still being
// written are kept.
func (rc *responseCache) prune(before time.Time) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	n := 0
	for id, e := range rc.entries {
		select {
		case <-e.done:
		default:
			continue // the first attempt is still running
		}
		if e.at.Before(before) {
			delete(rc.entries, id)
			n++
		}
	}
	return n
}

// capture records what a handler writes.
type capture struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (c *capture) Header() http.Header         { return c.header }
func (c *capture) Write(b []byte) (int, error) { return c.body.Write(b) }
func (c *capture) WriteHeader(status int)      { c.status = status }

// wrap applies the cache to next for requests with an Idempotency-Key.
func (rc *responseCache) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := idempotencyKey(r)
		if key == "" {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
		if err != nil {
			writeProblem(w, r, problem{Status: http.StatusBadRequest, Title: "unreadable body", Detail: err.Error(), Kind: "invalid_request"})
			return
		}
		digest := sha256.Sum256(append([]byte(r.Method+" "+r.URL.Path+"\n"), body...))
		id := string(ownerOf(r.Context())) + "\x00" + key

		rc.mu.Lock()
		e, seen := rc.entries[id]
		if !seen {
			e = &cachedResponse{at: fulfill.Now(rc.clock), done: make(chan struct{}), digest: digest}
			rc.entries[id] = e
		}
		rc.mu.Unlock()

		if seen {
			<-e.done // a concurrent first attempt finishes before its retry is answered
			switch {
			case e.digest != digest:
				writeProblem(w, r, problem{Status: http.StatusUnprocessableEntity, Title: "Unprocessable Entity",
					Detail: "the Idempotency-Key was used with another request", Kind: "idempotency_conflict"})
			case e.keep:
				for k, v := range e.header {
					w.Header()[k] = v
				}
				w.Header().Set("Idempotent-Replayed", "true")
				w.WriteHeader(e.status)
				_, _ = w.Write(e.body)
			default:
				// The first attempt failed on the server's side: run again.
				r.Body = io.NopCloser(bytes.NewReader(body))
				rc.wrap(next).ServeHTTP(w, r)
			}
			return
		}

		r.Body = io.NopCloser(bytes.NewReader(body))
		c := &capture{header: http.Header{}, status: http.StatusOK}
		next.ServeHTTP(c, r)
		e.status, e.header, e.body = c.status, c.header, c.body.Bytes()
		e.keep = c.status < 500
		if !e.keep {
			rc.mu.Lock()
			delete(rc.entries, id)
			rc.mu.Unlock()
		}
		close(e.done)
		for k, v := range c.header {
			w.Header()[k] = v
		}
		w.WriteHeader(c.status)
		_, _ = w.Write(c.body.Bytes())
	})
}
