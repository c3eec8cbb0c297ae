package channel

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"مُحَمَّد", "محمد"},
		{"أحمد إبراهيم آمال ٱلله", "احمد ابراهيم امال الله"},
		{"مصطفى", "مصطفي"},
		{"مدرسة", "مدرسه"},
		{"سـلام", "سلام"},
		{"Ceasefire COMPLIANCE", "ceasefire compliance"},
	}
	for _, tc := range tests {
		if got := Normalize(tc.in); got != tc.want {
			t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := Tokens("Aid, aid; convoy-7 AID"); !slices.Equal(got, []string{"aid", "convoy", "7"}) {
		t.Errorf("Tokens = %q", got)
	}
}

func TestSearch(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		ar := w.send(t, "opp", NewMessage{Body: "طلب الإفراج عن محمد والمعتقلين في المدرسة"})
		en := w.send(t, "gov", NewMessage{Body: "The Ceasefire holds around the school."})
		pl := w.send(t, "host", NewMessage{To: []string{"plenary"}, Body: "Plenary on the ceasefire at noon."})
		tests := []struct {
			who, q string
			want   []string
		}{
			{"opp", "مُحَمَّد", []string{ar.ID}},
			{"med", "محمد", []string{ar.ID}},
			{"med", "المدرسه", []string{ar.ID}},
			{"gov", "محمد", nil},
			{"gov", "CEASEFIRE", []string{pl.ID, en.ID}},
			{"opp", "ceasefire", []string{pl.ID}},
			{"observer", "ceasefire", []string{pl.ID}},
			{"med", "ceasefire school", []string{en.ID}},
			{"med", "cease", nil}, // whole words only
			{"outsider", "ceasefire", nil},
		}
		for _, tc := range tests {
			res, err := w.ch.Search(ctx, w.head(tc.who), tc.q, 0)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range res.Messages {
				got = append(got, m.ID)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("%s searching %q finds %v, want %v", tc.who, tc.q, got, tc.want)
			}
		}
		_, err := w.ch.Search(ctx, w.head("gov"), " ,; ", 0)
		wantCode(t, err, errs.Invalid)
	})
}

// docx returns a minimal file that sniffs as DOCX.
func docx(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	f, _ := zw.Create("word/document.xml")
	f.Write([]byte("<w:document/>"))
	zw.Close()
	return b.Bytes()
}

var pngHeader = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00")

func TestAttachments(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		tests := []struct {
			name, declared string
			data           []byte
			code           string
		}{
			{"list.txt", "text/plain; charset=utf-8", []byte("names on list B"), ""},
			{"map.png", "image/png", pngHeader, ""},
			{"terms.docx", TypeDOCX, docx(t), ""},
			{"doc.pdf", "application/pdf", []byte("%PDF-1.4\n%\xe2\xe3\n"), ""},
			{"fake.pdf", "application/pdf", []byte("just text"), TypeMismatch},
			{"fake.png", "image/png", docx(t), TypeMismatch},
			{"run.exe", "application/x-msdownload", []byte("MZ\x90\x00"), UnsupportedType},
			{"big.txt", "text/plain", bytes.Repeat([]byte("a"), MaxAttachment+1), AttachmentTooLarge},
			// A name that a bidirectional override shows as another.
			{"invoice\u202Efdp.txt", "text/plain", []byte("x"), errs.Invalid},
			{"list\u2067B.txt", "text/plain", []byte("x"), errs.Invalid},
			{"tab\tname.txt", "text/plain", []byte("x"), errs.Invalid},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				m, err := w.ch.Send(ctx, w.head("opp"), w.Round.ID, NewMessage{Body: "see attached", Attachments: []Upload{{Name: tc.name, DeclaredType: tc.declared, Data: tc.data}}})
				if tc.code != "" {
					wantCode(t, err, tc.code)
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if len(m.Attachments) != 1 || m.Attachments[0].Name != tc.name {
					t.Fatalf("attachments %+v", m.Attachments)
				}
				a, data, err := w.ch.OpenAttachment(ctx, w.head("med"), m.Attachments[0].ID)
				if err != nil || !bytes.Equal(data, tc.data) || a.Size != int64(len(tc.data)) {
					t.Errorf("mediation opens %+v, %v", a, err)
				}
				for _, who := range []string{"gov", "host", "observer", "outsider"} {
					if _, _, err := w.ch.OpenAttachment(ctx, w.head(who), m.Attachments[0].ID); errs.Code(err) != errs.NotFound {
						t.Errorf("%s opens the attachment: %v", who, err)
					}
				}
			})
		}
		files, _ := os.ReadDir(w.dir)
		if len(files) != 4 {
			t.Errorf("%d files in the attachment folder, want the 4 accepted", len(files))
		}
	})
}

func TestStatements(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		st, err := w.ch.CreateStatement(ctx, w.head("host"), NewStatement{Title: "Closing statement", Body: "The round ends with a joint communiqué."})
		if err != nil {
			t.Fatal(err)
		}
		future, err := w.ch.CreateStatement(ctx, w.head("gov"), NewStatement{Title: "Embargoed", Body: "Not yet.", EmbargoUntil: time.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		readers := func(id string) []string {
			var out []string
			for _, who := range everyone {
				if _, err := w.ch.Statement(ctx, w.head(who), id); err == nil {
					out = append(out, who)
				}
			}
			return out
		}
		if got := readers(st.ID); !slices.Equal(got, []string{"host", "med"}) {
			t.Errorf("draft read by %v", got)
		}
		if _, err := w.ch.ReleaseStatement(ctx, w.head("med"), st.ID); errs.Code(err) != errs.Forbidden {
			t.Errorf("mediation releases another's statement: %v", err)
		}
		if _, err := w.ch.ReleaseStatement(ctx, w.head("gov"), st.ID); errs.Code(err) != errs.NotFound {
			t.Errorf("government releases a draft it cannot read: %v", err)
		}
		if _, err := w.ch.ReleaseStatement(ctx, w.head("host"), st.ID); err != nil {
			t.Fatal(err)
		}
		if got := readers(st.ID); len(got) != len(everyone) {
			t.Errorf("released statement read by %v", got)
		}
		pub, err := w.ch.Statements(ctx, access.Actor{}, 0)
		if err != nil || len(pub) != 1 || pub[0].ID != st.ID {
			t.Errorf("public statements %+v, %v", pub, err)
		}
		if _, err := w.ch.ReleaseStatement(ctx, w.head("gov"), future.ID); err != nil {
			t.Fatal(err)
		}
		if got := readers(future.ID); !slices.Equal(got, []string{"med", "gov"}) {
			t.Errorf("embargoed statement read by %v before the embargo", got)
		}
		if _, err := w.ch.ReleaseStatement(ctx, w.head("host"), st.ID); errs.Code(err) != errs.Conflict {
			t.Errorf("second release: %v", err)
		}
	})
}

// TestSealedAtRest writes messages, an attachment and a statement draft and
// then reads the raw SQLite files and the attachment folder: none of the
// plaintext may appear, while search still finds the words.
func TestSealedAtRest(t *testing.T) {
	db := storetest.SQLite(t)
	w := newWorld(t, db)
	ctx := context.Background()
	secrets := []string{"Xylophonecorridor", "محمدالمعتقل", "Quartzembargo", "Zebrafiletext"}
	m := w.send(t, "opp", NewMessage{Body: "the " + secrets[0] + " and " + secrets[1],
		Attachments: []Upload{{Name: "secret-name-" + secrets[3] + ".txt", DeclaredType: "text/plain", Data: []byte("content " + secrets[3])}}})
	w.send(t, "gov", NewMessage{To: []string{"internal"}, Body: strings.Repeat(secrets[0]+" ", 50)})
	if _, err := w.ch.CreateStatement(ctx, w.head("gov"), NewStatement{Title: "Draft " + secrets[2], Body: "draft " + secrets[2]}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.W.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	var raw []byte
	for _, p := range []string{db.Path, db.Path + "-wal"} {
		b, _ := os.ReadFile(p)
		raw = append(raw, b...)
	}
	files, _ := filepath.Glob(filepath.Join(w.dir, "*"))
	if len(files) != 1 {
		t.Fatalf("%d attachment files", len(files))
	}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		raw = append(raw, b...)
	}
	if len(raw) < 4096 {
		t.Fatalf("read only %d bytes", len(raw))
	}
	for _, s := range secrets {
		for _, form := range []string{s, strings.ToLower(s), Normalize(s)} {
			if bytes.Contains(raw, []byte(form)) {
				t.Errorf("%q is readable at rest", form)
			}
		}
	}
	res, err := w.ch.Search(ctx, w.head("med"), strings.ToLower(secrets[0]), 0)
	if err != nil || len(res.Messages) != 1 || res.Messages[0].ID != m.ID {
		t.Errorf("search over sealed bodies: %+v, %v", res.Messages, err)
	}
	// A sealed body moved to another row does not open.
	var other string
	db.R.QueryRowContext(ctx, "SELECT id FROM messages WHERE id <> $1", m.ID).Scan(&other)
	if _, err := db.W.ExecContext(ctx, "UPDATE messages SET body_enc = (SELECT body_enc FROM messages WHERE id = $1) WHERE id = $2", m.ID, other); err != nil {
		t.Fatal(err)
	}
	if got, err := w.ch.Get(ctx, w.head("gov"), other); err != nil || !got.Damaged || got.Body != "" {
		t.Errorf("a body moved onto another message opens: %+v, %v", got, err)
	}
	fi, err := os.Stat(filepath.Join(filepath.Dir(w.dir), "master.key"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("master key mode %v, %v", fi.Mode(), err)
	}
}
