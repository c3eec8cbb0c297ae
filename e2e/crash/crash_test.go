// Package crash is parley's crash test: senders write messages through the
// JSON API of the real binary while it is killed with SIGKILL mid-load and
// restarted; afterwards every acknowledged message must be there exactly
// once, nothing must be there twice, and "parley verify" must pass. It runs
// only with -crash (scripts/crash-test.sh; .ci/run runs one short cycle on
// each database):
//
//	go test ./e2e/crash -run TestCrash -count=1 -v -crash [-crash.senders 8] [-crash.cycles 1] [-crash.load 3s]
package crash_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"parley/internal/store/storetest"
)

var (
	enabled = flag.Bool("crash", false, "run the crash test (builds and kills the real binary)")
	senders = flag.Int("crash.senders", 8, "concurrent senders")
	cycles  = flag.Int("crash.cycles", 1, "kill -9 and restart this many times")
	load    = flag.Duration("crash.load", 3*time.Second, "load before each kill, and after the last restart")
)

const password = "correct horse battery staple"

// server is one run of "parley demo" on a data folder and database.
type server struct {
	bin, dir, dsn string
	cmd           *exec.Cmd
	url           string
	log           bytes.Buffer
}

// start runs the binary and waits for the URL it prints.
func (s *server) start(t *testing.T) {
	t.Helper()
	args := []string{"demo", "--data-dir", s.dir, "--addr", "127.0.0.1:0", "--demo-password", password,
		"--checkpoint-every", "200ms", "--checkpoint-events", "100"}
	if s.dsn != "" {
		args = append(args, "--db", s.dsn)
	}
	s.cmd = exec.Command(s.bin, args...)
	s.cmd.Stderr = &s.log
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "parley demo: "); ok {
				found <- u
			}
		}
	}()
	select {
	case s.url = <-found:
	case <-time.After(60 * time.Second):
		s.cmd.Process.Kill()
		t.Fatalf("parley demo did not start within 60 s:\n%s", s.log.String())
	}
}

// kill ends the server with SIGKILL: no shutdown, no final checkpoint.
func (s *server) kill(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	s.cmd.Wait()
}

// stop ends the server gracefully.
func (s *server) stop(t *testing.T) {
	t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	if err := s.cmd.Wait(); err != nil {
		t.Fatalf("graceful stop: %v\n%s", err, s.log.String())
	}
}

// client is an API client whose server address changes across restarts.
type client struct {
	url  atomic.Pointer[string]
	http *http.Client
}

func (c *client) do(method, path, token string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, *c.url.Load()+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode < 300 {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			return resp.StatusCode, err
		}
	}
	return resp.StatusCode, nil
}

func (c *client) login(t *testing.T, user string) string {
	t.Helper()
	var l struct{ Token string }
	if st, err := c.do("POST", "/api/v1/auth/login", "", map[string]string{"username": user, "password": password}, &l); st != 200 || err != nil {
		t.Fatalf("login %s: %d %v", user, st, err)
	}
	return l.Token
}

type message struct {
	ID          string `json:"id"`
	Body        string `json:"body"`
	LedgerIndex int64  `json:"ledger_index"`
}

// figures are what one crash run measured.
type figures struct {
	attempts, acked, failed atomic.Int64
	restart                 []time.Duration
}

func TestCrash(t *testing.T) {
	if !*enabled {
		t.Skip("the crash test runs with -crash (scripts/crash-test.sh)")
	}
	bin := filepath.Join(t.TempDir(), "parley")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/parley").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	storetest.WithAllDSNs(t, func(t *testing.T, dsn string) {
		runCrash(t, bin, dsn)
	})
}

func runCrash(t *testing.T, bin, dsn string) {
	srv := &server{bin: bin, dir: t.TempDir(), dsn: dsn}
	srv.start(t)
	c := &client{http: &http.Client{Timeout: 10 * time.Second}}
	c.url.Store(&srv.url)

	var rounds struct{ Rounds []struct{ ID string } }
	users := []string{"gov.head", "opp.head", "mediator", "gov.member"}
	tokens := map[string]string{}
	for _, u := range users {
		tokens[u] = c.login(t, u)
	}
	if st, err := c.do("GET", "/api/v1/rounds", tokens["mediator"], nil, &rounds); st != 200 || err != nil || len(rounds.Rounds) == 0 {
		t.Fatalf("rounds: %d %v", st, err)
	}
	round := rounds.Rounds[0].ID

	// Every attempt has a body of its own, so that a duplicate shows.
	var fig figures
	var mu sync.Mutex
	acked := map[string]string{} // body → message id
	ctx, stopSending := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i := range *senders {
		user := users[i%len(users)]
		to := []string{"mediation"}
		if user == "mediator" {
			to = []string{"plenary"}
		}
		wg.Go(func() {
			for n := 0; ctx.Err() == nil; n++ {
				body := fmt.Sprintf("crash %s %d %d", user, i, n)
				fig.attempts.Add(1)
				var m message
				st, err := c.do("POST", "/api/v1/rounds/"+round+"/messages", tokens[user], map[string]any{"to": to, "body": body}, &m)
				if err != nil || st != 201 {
					fig.failed.Add(1)
					// The server is down or restarting: try again soon.
					time.Sleep(20 * time.Millisecond)
					continue
				}
				fig.acked.Add(1)
				mu.Lock()
				acked[body] = m.ID
				mu.Unlock()
			}
		})
	}
	for range *cycles {
		time.Sleep(*load)
		before := fig.acked.Load()
		srv.kill(t)
		down := time.Now()
		srv.start(t)
		c.url.Store(&srv.url)
		// Back when the first send after the restart is acknowledged.
		deadline := time.Now().Add(60 * time.Second)
		for fig.acked.Load() == before && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		fig.restart = append(fig.restart, time.Since(down))
	}
	time.Sleep(*load)
	stopSending()
	wg.Wait()

	// Every message of the round, as the mediation reads them.
	seen := map[string]int{}
	ids := map[string]string{}
	for after := int64(-1); ; {
		var page struct{ Messages []message }
		st, err := c.do("GET", fmt.Sprintf("/api/v1/rounds/%s/messages?after=%d&limit=1000", round, after), tokens["mediator"], nil, &page)
		if st != 200 || err != nil {
			t.Fatalf("list: %d %v", st, err)
		}
		if len(page.Messages) == 0 {
			break
		}
		for _, m := range page.Messages {
			if strings.HasPrefix(m.Body, "crash ") {
				seen[m.Body]++
				ids[m.Body] = m.ID
			}
			after = m.LedgerIndex
		}
	}
	srv.stop(t)

	var lost, dup, wrong int
	for body, id := range acked {
		switch {
		case seen[body] == 0:
			lost++
		case ids[body] != id:
			wrong++
		}
	}
	for _, n := range seen {
		if n > 1 {
			dup++
		}
	}
	t.Logf("%d senders, %d kill -9 cycles: %d sends attempted, %d acknowledged, %d failed while the server was down; "+
		"%d messages stored (%d committed without an acknowledgement); restart to the first acknowledged send: %v",
		*senders, *cycles, fig.attempts.Load(), len(acked), fig.failed.Load(), len(seen), len(seen)-len(acked)+lost, fig.restart)
	if lost > 0 || dup > 0 || wrong > 0 {
		t.Fatalf("%d acknowledged sends lost, %d stored twice, %d under another id", lost, dup, wrong)
	}
	if len(acked) == 0 {
		t.Fatal("no send was acknowledged")
	}
	args := []string{"verify", "--data-dir", srv.dir}
	if dsn != "" {
		args = append(args, "--db", dsn)
	}
	start := time.Now()
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("parley verify after the crashes: %v\n%s", err, out)
	}
	t.Logf("parley verify (%v): %s", time.Since(start).Round(time.Millisecond), strings.TrimSpace(string(out)))
	if fi, err := os.Stat(srv.dir); err != nil || !fi.IsDir() {
		t.Fatal(err)
	}
}
