// Package e2e drives the whole parley binary through a real browser: each
// test builds cmd/parley once, starts "parley demo" on a free port with a fresh
// data folder, and clicks through the pages in headless Chromium.
package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// demoPassword is the password of every demo account in these tests.
const demoPassword = "correct horse battery"

var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// parleyBinary builds cmd/parley once per test run.
func parleyBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "parley-e2e-bin-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "parley")
		out, err := exec.Command("go", "build", "-o", binPath, "../cmd/parley").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// chromiumPath finds Debian's Chromium. Outside CI a machine without it
// skips the browser tests; in CI their absence is a failure.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no Chromium found; CI must run the browser tests (apt-get install -y chromium)")
	}
	t.Skip("no Chromium found (apt-get install -y chromium); skipping browser tests")
	return ""
}

var urlLine = regexp.MustCompile(`parley demo: (http://\S+)`)

// startDemo runs "parley demo" on a free port and returns its URL. The
// process is stopped with SIGTERM when the test ends, and must exit cleanly.
func startDemo(t *testing.T, extraEnv ...string) string {
	t.Helper()
	bin := parleyBinary(t)
	dir := t.TempDir()
	cmd := exec.Command(bin, "demo", "--addr", "127.0.0.1:0", "--data-dir", dir, "--demo-password", demoPassword)
	// The bare round unless a test asks for the round in progress
	// (PARLEY_DEMO_WORKDAY=on): the stories write their own content.
	cmd.Env = append(append(os.Environ(), "PARLEY_DEMO_WORKDAY=off"), extraEnv...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := urlLine.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("parley demo did not exit cleanly: %v\n%s", err, stderr.String())
			}
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Errorf("parley demo did not stop within 30s of SIGINT")
		}
	})
	select {
	case u := <-found:
		return u
	case <-time.After(90 * time.Second):
		t.Fatalf("parley demo printed no URL within 90s\n%s", stderr.String())
	}
	return ""
}

// newBrowser starts a fresh headless Chromium with its own profile (so its
// own cookie jar) and returns a context for driving it.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	exe := chromiumPath(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// do runs browser steps and fails the test on error.
func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// get runs one browser action with a result and fails the test on error.
func get[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
