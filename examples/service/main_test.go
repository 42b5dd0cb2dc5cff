package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestServeShutsDownGracefully cancels the server's context while a request
// is in flight: the request still completes, and serve returns cleanly.
func TestServeShutsDownGracefully(t *testing.T) {
	started := make(chan struct{})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		time.Sleep(100 * time.Millisecond)
		_, _ = io.WriteString(w, "done")
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- serve(ctx, srv, ln, slog.New(slog.NewTextHandler(io.Discard, nil))) }()

	got := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/")
		if err != nil {
			got <- "error: " + err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		got <- string(b)
	}()
	<-started
	cancel()
	assert.Equal(t, "done", <-got, "the request in flight finishes")
	require.NoError(t, <-served)
	_, err = http.Get("http://" + ln.Addr().String() + "/")
	assert.Error(t, err, "no new connections after shutdown")
}

func TestParseKeys(t *testing.T) {
	k, err := parseKeys(" a=acme , b=globex,")
	require.NoError(t, err)
	o, ok := k.owner("a")
	assert.True(t, ok)
	assert.EqualValues(t, "acme", o)
	_, ok = k.owner("c")
	assert.False(t, ok)
	for _, bad := range []string{"", "novalue", "=acme", "k= acme"} {
		_, err := parseKeys(bad)
		assert.Error(t, err, bad)
	}
}
