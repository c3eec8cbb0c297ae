package ledgercheck

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The live test runs parley as a separate process, the way a participant
// meets it: it builds cmd/parley, starts "parley demo" on a free port with a
// fresh data folder, and talks to it over HTTP only. Executing the binary
// keeps this package free of parley imports.

const demoPassword = "correct horse battery"

// demoServer is a running "parley demo" process.
type demoServer struct {
	bin, dataDir, url string
	cmd               *exec.Cmd
	done              chan error // the process's exit, once
	stopped           bool       // stop received the exit
	stderr            *lockedBuffer
}

// lockedBuffer collects the process's log for failure messages.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startDemo builds parley and starts its demo. Every write kicks the
// checkpointer (--checkpoint-events 1), so that a newer checkpoint follows a
// write at once instead of after the default minute.
func startDemo(t *testing.T) *demoServer {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the live test builds parley and needs the go command: %v", err)
	}
	tmp := t.TempDir()
	d := &demoServer{bin: filepath.Join(tmp, "parley"), dataDir: filepath.Join(tmp, "data"), done: make(chan error, 1), stderr: &lockedBuffer{}}
	build := exec.Command(goTool, "build", "-o", d.bin, "../../cmd/parley")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ../../cmd/parley: %v\n%s", err, out)
	}
	d.cmd = exec.Command(d.bin, "demo", "--addr", "127.0.0.1:0", "--data-dir", d.dataDir,
		"--demo-password", demoPassword, "--checkpoint-events", "1")
	d.cmd.Env = append(os.Environ(), "PARLEY_LOG_LEVEL=warn")
	d.cmd.Stderr = d.stderr
	stdout, err := d.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := d.cmd.Start(); err != nil {
		t.Fatalf("start parley demo: %v", err)
	}
	urls := make(chan string, 1)
	go func() {
		// Read stdout to the end, so the process never blocks on a full
		// pipe, and hand over the URL line once.
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "parley demo: "); ok {
				select {
				case urls <- strings.TrimSpace(u):
				default:
				}
			}
		}
		io.Copy(io.Discard, stdout)
		d.done <- d.cmd.Wait()
	}()
	t.Cleanup(func() {
		// A failed test still stops the process; stop is a no-op after a
		// clean stop.
		if !d.stopped {
			d.cmd.Process.Kill()
			<-d.done
		}
	})
	select {
	case d.url = <-urls:
	case err := <-d.done:
		d.done <- err
		t.Fatalf("parley demo exited before serving: %v\n%s", err, d.stderr)
	case <-time.After(2 * time.Minute):
		t.Fatalf("parley demo printed no URL within 2 minutes\n%s", d.stderr)
	}
	if !strings.HasPrefix(d.url, "http://127.0.0.1:") {
		t.Fatalf("unexpected demo URL %q", d.url)
	}
	return d
}

// verifierKey runs "parley ledger key" on the demo's data folder: the key
// obtained out of band, which the served one must equal.
func (d *demoServer) verifierKey(t *testing.T) string {
	t.Helper()
	out, err := exec.Command(d.bin, "ledger", "key", "--data-dir", d.dataDir).Output()
	if err != nil {
		t.Fatalf("parley ledger key: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// login logs a demo user in through the API and returns its bearer token.
func (d *demoServer) login(t *testing.T, username string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": username, "password": demoPassword})
	resp, err := http.Post(d.url+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var l struct {
		Token string `json:"token"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(b, &l) != nil || l.Token == "" {
		t.Fatalf("login %s: %d %s", username, resp.StatusCode, b)
	}
	return l.Token
}

// send makes an authenticated JSON request and decodes the answer into out
// (when not nil).
func send(ctx context.Context, c *Client, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(b, out)
}

// setStance writes state through the API: the caller's party accepts the
// first agenda item of its first round.
func (d *demoServer) setStance(t *testing.T, c *Client) {
	t.Helper()
	ctx := context.Background()
	var rounds struct {
		Rounds []struct {
			ID string `json:"id"`
		} `json:"rounds"`
	}
	if err := send(ctx, c, http.MethodGet, "/api/v1/rounds", nil, &rounds); err != nil || len(rounds.Rounds) == 0 {
		t.Fatalf("rounds: %v %+v", err, rounds)
	}
	var round struct {
		Agenda []struct {
			ID string `json:"id"`
		} `json:"agenda"`
	}
	if err := send(ctx, c, http.MethodGet, "/api/v1/rounds/"+rounds.Rounds[0].ID, nil, &round); err != nil || len(round.Agenda) == 0 {
		t.Fatalf("round: %v %+v", err, round)
	}
	stance := map[string]string{"stance": "accept", "reason": "Agreed in the live ledger check"}
	if err := send(ctx, c, http.MethodPut, "/api/v1/agenda/"+round.Agenda[0].ID+"/stance", stance, nil); err != nil {
		t.Fatal(err)
	}
}

// checkpointSize reads the size line of a signed checkpoint without
// verifying it (Check verifies).
func checkpointSize(t *testing.T, msg []byte) int64 {
	t.Helper()
	lines := strings.SplitN(string(msg), "\n", 3)
	var n int64
	if len(lines) < 3 {
		t.Fatalf("malformed checkpoint %q", msg)
	}
	if _, err := fmt.Sscan(lines[1], &n); err != nil {
		t.Fatalf("checkpoint size %q: %v", lines[1], err)
	}
	return n
}

// waitCheckpointBeyond polls the checkpoint route until the server has
// signed a tree larger than size.
func (d *demoServer) waitCheckpointBeyond(t *testing.T, c *Client, size int64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		msg, err := c.get(context.Background(), "/api/v1/ledger/checkpoint", nil)
		if err != nil {
			t.Fatal(err)
		}
		if checkpointSize(t, msg) > size {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint beyond %d within 30s\n%s", size, d.stderr)
		}
		<-tick.C
	}
}

// stop sends SIGINT, as Ctrl-C would, and expects a clean exit.
func (d *demoServer) stop(t *testing.T) {
	t.Helper()
	if err := d.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-d.done:
		d.stopped = true
		if err != nil {
			t.Errorf("parley demo did not stop cleanly on SIGINT: %v\n%s", err, d.stderr)
		}
	case <-time.After(time.Minute):
		t.Errorf("parley demo still running a minute after SIGINT\n%s", d.stderr)
	}
}
