package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDetaineesSynthMatchEval(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"detainees", "synth", "--n", "400", "--seed", "2", "--out", dir}, &out, &errb); code != 0 {
		t.Fatalf("synth: exit %d: %s", code, errb.String())
	}
	a, b := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
	for _, args := range [][]string{{a, b}, {a}} {
		out.Reset()
		errb.Reset()
		if code := run(context.Background(), append([]string{"detainees", "match", "--json"}, args...), &out, &errb); code != 0 {
			t.Fatalf("match %v: exit %d: %s", args, code, errb.String())
		}
		// Exactly the shape the issue fixes.
		var got map[string][]map[string]any
		if err := json.Unmarshal(out.Bytes(), &got); err != nil {
			t.Fatalf("match %v: %v: %s", args, err, out.String())
		}
		if len(got) != 2 || got["pairs"] == nil || got["review"] == nil {
			t.Fatalf("match %v: keys %v", args, got)
		}
		if len(got["pairs"]) == 0 {
			t.Errorf("match %v: no pairs", args)
		}
		for _, p := range got["pairs"] {
			a, _ := p["a"].(string)
			b, _ := p["b"].(string)
			pr, _ := p["probability"].(float64)
			if len(p) != 3 || a == "" || b == "" || pr <= 0 || pr > 1 {
				t.Fatalf("match %v: pair %v", args, p)
			}
			if len(args) == 2 && (!strings.HasPrefix(a, "A-") || !strings.HasPrefix(b, "B-")) {
				t.Fatalf("pair %v: a must name list A, b list B", p)
			}
		}
	}
	out.Reset()
	if code := run(context.Background(), []string{"detainees", "match", "--duplicates", a, b}, &out, &errb); code != 0 || !strings.Contains(out.String(), "duplicates in B") {
		t.Errorf("match text: exit %d: %s", code, out.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"detainees", "eval", dir}, &out, &errb); code != 0 || !strings.Contains(out.String(), "blocking recall") {
		t.Errorf("eval: exit %d: %s", code, out.String())
	}
}

func TestDetaineesMatchBadFile(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("record_id,name_ar,status\n1,محمد,free\n2,,held\n"), 0o644)
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"detainees", "match", "--json", bad}, &out, &errb); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if !strings.Contains(errb.String(), "line 2: status") || !strings.Contains(errb.String(), "line 3") || out.Len() != 0 {
		t.Errorf("stderr %q, stdout %q", errb.String(), out.String())
	}
	if code := run(context.Background(), []string{"detainees", "match", filepath.Join(dir, "none.csv")}, &out, &errb); code != 1 {
		t.Errorf("missing file: exit %d", code)
	}
	if code := run(context.Background(), []string{"detainees", "match"}, &out, &errb); code != 2 {
		t.Errorf("no file: exit %d", code)
	}
}
