package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestHelpAndBadFlags(t *testing.T) {
	for name := range commands {
		t.Run(name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := run(context.Background(), []string{name, "--help"}, &out, &errb); code != 0 {
				t.Errorf("%s --help: exit %d, stderr %q", name, code, errb.String())
			}
			if !strings.Contains(out.String()+errb.String(), "usage: parley") {
				t.Errorf("%s --help printed no usage: %q", name, out.String())
			}
			out.Reset()
			errb.Reset()
			if code := run(context.Background(), []string{name, "--no-such-flag"}, &out, &errb); code != 2 {
				t.Errorf("%s --no-such-flag: exit %d, want 2", name, code)
			}
		})
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"nonsense"}, &out, &errb); code != 2 {
		t.Errorf("unknown command: exit %d, want 2", code)
	}
	if code := run(context.Background(), nil, &out, &errb); code != 2 {
		t.Errorf("no command: exit %d, want 2", code)
	}
}

// syncBuffer lets the test read what the server goroutine writes.
type syncBuffer struct {
	ch chan string
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.ch <- string(p)
	return len(p), nil
}

// TestDemoServesAndStops runs "parley demo" in-process on a free port, waits
// for /healthz, checks the seed is a no-op the second time, and shuts down
// gracefully when the context ends (as on SIGTERM).
func TestDemoServesAndStops(t *testing.T) {
	dir := t.TempDir()
	for attempt := range 2 {
		ctx, cancel := context.WithCancel(context.Background())
		out := &syncBuffer{ch: make(chan string, 64)}
		var errb bytes.Buffer
		done := make(chan int, 1)
		go func() {
			done <- run(ctx, []string{"demo", "--addr", "127.0.0.1:0", "--data-dir", dir, "--demo-password", "correct horse battery"}, out, &errb)
		}()
		var url string
		re := regexp.MustCompile(`parley demo: (http://\S+)`)
		deadline := time.After(60 * time.Second)
		var printed string
		for url == "" {
			select {
			case s := <-out.ch:
				printed += s
				if m := re.FindStringSubmatch(printed); m != nil {
					url = m[1]
				}
			case code := <-done:
				t.Fatalf("demo exited early with %d: %s", code, errb.String())
			case <-deadline:
				t.Fatal("demo printed no URL")
			}
		}
		if attempt == 0 && !strings.Contains(printed, "password: correct horse battery") {
			t.Errorf("first run should print the accounts and password:\n%s", printed)
		}
		if attempt == 1 && !strings.Contains(printed, "already seeded") {
			t.Errorf("second run should say the folder was already seeded:\n%s", printed)
		}
		resp, err := http.Get(url + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("/healthz = %d", resp.StatusCode)
		}
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Fatalf("demo exit %d after shutdown: %s", code, errb.String())
			}
		case <-time.After(30 * time.Second):
			t.Fatal("demo did not shut down")
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "parley.db")); err != nil {
		t.Fatalf("the demo database is not in the data folder: %v", err)
	}
}
