package web

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestHealthAndReady(t *testing.T) {
	t.Parallel()
	dbErr := errors.New("attempt to write a readonly database")
	var dbFails atomic.Bool
	s := New([]Check{
		{Name: "db", Fn: func(context.Context) error {
			if dbFails.Load() {
				return dbErr
			}
			return nil
		}},
		{Name: "scheduler", Fn: func(context.Context) error { return nil }},
	}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "metrics") }), nil)
	s.Handle("GET /extra", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "page") }))
	if err := s.Listen("127.0.0.1:0", false); err != nil {
		t.Fatal(err)
	}
	s.Start()
	defer s.Shutdown(context.Background())
	base := "http://" + s.Addr()
	for _, tt := range []struct {
		path     string
		dbFails  bool
		code     int
		wantBody string
	}{
		{"/healthz", true, 200, "ok\n"},
		{"/readyz", false, 200, "db: ok\nscheduler: ok\n"},
		{"/readyz", true, 503, "db: failed: attempt to write a readonly database\nscheduler: ok\n"},
		{"/metrics", false, 200, "metrics"},
		{"/extra", false, 200, "page"},
	} {
		dbFails.Store(tt.dbFails)
		resp, err := http.Get(base + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.code || string(body) != tt.wantBody {
			t.Errorf("GET %s (db fails %v) = %d %q, want %d %q", tt.path, tt.dbFails, resp.StatusCode, body, tt.code, tt.wantBody)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Error(err)
	}
}

func TestCheckListen(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		addr     string
		explicit bool
		err      string
	}{
		{"127.0.0.1:9464", false, ""},
		{"localhost:9464", false, ""},
		{"[::1]:9464", false, ""},
		{"0.0.0.0:9464", false, "listen address 0.0.0.0:9464 is not loopback: pass --listen 0.0.0.0:9464 explicitly"},
		{":9464", false, "is not loopback"},
		{"0.0.0.0:9464", true, ""},
		{"9464", true, "write it as HOST:PORT"},
	} {
		err := CheckListen(tt.addr, tt.explicit)
		if (tt.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("CheckListen(%q, %v) = %v, want %q", tt.addr, tt.explicit, err, tt.err)
		}
	}
}
