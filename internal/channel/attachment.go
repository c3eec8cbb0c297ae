package channel

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"parley/internal/access"
	"parley/internal/errs"
	"parley/internal/i18n"
	"parley/internal/store"
)

// Upload is an attachment as received: the name and type the client
// declared, and the content.
type Upload struct {
	Name         string
	DeclaredType string
	Data         []byte
}

// Attachment is a stored attachment's description.
type Attachment struct {
	ID          string
	MessageID   string
	Name        string
	ContentType string
	Size        int64
	SHA256      string // hex
	// LedgerIndex is the index of the event that created it: its
	// message's.
	LedgerIndex int64
	// Damaged: the sealed name did not open; Name is empty (damage.go).
	Damaged bool
}

// The accepted attachment types. DOCX and XLSX are ZIP files recognised by
// the part every such document has.
const (
	TypePDF  = "application/pdf"
	TypePNG  = "image/png"
	TypeJPEG = "image/jpeg"
	TypeGIF  = "image/gif"
	TypeWebP = "image/webp"
	TypeText = "text/plain"
	TypeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	TypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// AcceptedTypes lists the attachment types parley accepts.
var AcceptedTypes = []string{TypePDF, TypePNG, TypeJPEG, TypeGIF, TypeWebP, TypeText, TypeDOCX, TypeXLSX}

// sniff says what the content is, among the accepted types, or "".
func sniff(data []byte) string {
	switch ct := http.DetectContentType(data); {
	case ct == TypePDF, ct == TypePNG, ct == TypeJPEG, ct == TypeGIF, ct == TypeWebP:
		return ct
	case ct == "application/zip":
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return ""
		}
		for _, f := range zr.File {
			switch f.Name {
			case "word/document.xml":
				return TypeDOCX
			case "xl/workbook.xml":
				return TypeXLSX
			}
		}
		return ""
	case strings.HasPrefix(ct, "text/plain"):
		if utf8.Valid(data) {
			return TypeText
		}
	}
	return ""
}

// preparedFile is an upload checked and ready to seal.
type preparedFile struct {
	name, contentType string
	data              []byte
	sourceID          string // the attachment a relay copies, if any
}

// sealedFile is an attachment sealed and written to the attachment folder,
// waiting for the transaction that records it.
type sealedFile struct {
	id, name, contentType string
	size                  int64
	sum                   [32]byte
	path                  string
}

// prepareUploads checks each upload: size, a declared type among the
// accepted ones, and content that is what the declared type says.
func (s *Service) prepareUploads(ups []Upload) ([]preparedFile, error) {
	if len(ups) > MaxAttachments {
		return nil, errs.New(TooManyAttachments, "at most %d attachments per message", MaxAttachments)
	}
	var out []preparedFile
	for _, u := range ups {
		// A file name that a control or bidirectional-formatting
		// character would show as another ("invoice\u202Efdp.exe" reads
		// "invoiceexe.pdf") is refused, not cleaned.
		if i18n.HasUnsafe(u.Name) {
			return nil, &errs.Error{Code: errs.Invalid, Field: "attachments", Message: "a file name contains a control or bidirectional-formatting character; rename the file"}
		}
		name := cleanName(u.Name)
		if len(u.Data) > MaxAttachment {
			return nil, &errs.Error{Code: AttachmentTooLarge, Field: "attachments", Message: fmt.Sprintf("%s is larger than %d MiB", name, MaxAttachment>>20)}
		}
		if len(u.Data) == 0 {
			return nil, &errs.Error{Code: errs.Invalid, Field: "attachments", Message: name + " is empty"}
		}
		declared, _, err := mime.ParseMediaType(u.DeclaredType)
		if err != nil || !accepted(declared) {
			return nil, &errs.Error{Code: UnsupportedType, Field: "attachments",
				Message: fmt.Sprintf("%s: type %q is not accepted (PDF, PNG, JPEG, GIF, WebP, DOCX, XLSX or plain text)", name, short(u.DeclaredType))}
		}
		if got := sniff(u.Data); got != declared {
			what := got
			if what == "" {
				what = "not an accepted type"
			}
			return nil, &errs.Error{Code: TypeMismatch, Field: "attachments",
				Message: fmt.Sprintf("%s is declared %s but its content is %s", name, declared, what)}
		}
		out = append(out, preparedFile{name: name, contentType: declared, data: u.Data})
	}
	return out, nil
}

func accepted(t string) bool {
	for _, a := range AcceptedTypes {
		if a == t {
			return true
		}
	}
	return false
}

// cleanName keeps the base name of an uploaded file, printable and short.
func cleanName(n string) string {
	n = filepath.Base(strings.ReplaceAll(n, "\\", "/"))
	n = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' || r == '/' {
			return '_'
		}
		return r
	}, n)
	if !utf8.ValidString(n) || n == "." || n == "" {
		n = "attachment"
	}
	if len(n) > 200 {
		n = n[:200]
	}
	return n
}

// storeFiles seals the files and writes them to the attachment folder,
// synced, before the transaction that records them: an acknowledged
// message never points at a missing file. A failed transaction removes
// them again.
func (s *Service) storeFiles(files []preparedFile) ([]sealedFile, error) {
	var out []sealedFile
	for _, f := range files {
		sf := sealedFile{id: store.NewID(), name: f.name, contentType: f.contentType, size: int64(len(f.data)), sum: sha256.Sum256(f.data)}
		sf.path = filepath.Join(s.dir, sf.id)
		sealed := s.keys.seal("attachment", sf.id, f.data)
		if err := writeSynced(sf.path, sealed); err != nil {
			s.removeFiles(out)
			return nil, fmt.Errorf("store attachment: %w", err)
		}
		out = append(out, sf)
	}
	return out, nil
}

func writeSynced(path string, b []byte) error {
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := fh.Write(b); err != nil {
		fh.Close()
		os.Remove(path)
		return err
	}
	if err := fh.Sync(); err != nil {
		fh.Close()
		os.Remove(path)
		return err
	}
	return fh.Close()
}

func (s *Service) removeFiles(files []sealedFile) {
	for _, f := range files {
		os.Remove(f.path)
	}
}

// attachmentSelect reads attachments for scanAttachments, from
// "attachments a".
const attachmentSelect = "SELECT a.id, a.message_id, a.name_enc, a.content_type, a.size, a.sha256, " +
	"(SELECT m.ledger_idx FROM messages m WHERE m.id = a.message_id) FROM attachments a"

func (s *Service) scanAttachments(rows *sql.Rows) ([]Attachment, error) {
	defer rows.Close()
	var out []Attachment
	for rows.Next() {
		var a Attachment
		var name, sum []byte
		if err := rows.Scan(&a.ID, &a.MessageID, &name, &a.ContentType, &a.Size, &sum, &a.LedgerIndex); err != nil {
			return nil, err
		}
		pt, err := s.keys.open("attachment-name", a.ID, name)
		if err != nil {
			a.Damaged = true
			s.damaged(Damage{Kind: "attachment", ID: a.ID, LedgerIndex: a.LedgerIndex, Err: err})
		}
		a.Name = string(pt)
		a.SHA256 = hex.EncodeToString(sum)
		out = append(out, a)
	}
	return out, rows.Err()
}

// OpenAttachment returns an attachment and its content, for a reader of its
// message; any other id is not found. The content is checked against the
// stored SHA-256 on the way out: a file that is missing, does not open or
// does not match is damaged (errs.Damaged, naming the attachment and its
// event, and reported as damage.go says), never an internal error.
func (s *Service) OpenAttachment(ctx context.Context, actor access.Actor, id string) (a Attachment, data []byte, err error) {
	defer errs.Wrap(&err, "channel.OpenAttachment")
	if !store.ValidID(id) || actor.Anonymous() {
		return Attachment{}, nil, errs.NotFoundf("attachment")
	}
	cond, arg := access.ReadableBy(actor, "a.message_id", 2)
	rows, err := s.db.R.QueryContext(ctx, attachmentSelect+" WHERE a.id = $1 AND "+cond, id, arg)
	if err != nil {
		return Attachment{}, nil, err
	}
	atts, err := s.scanAttachments(rows)
	if err != nil {
		return Attachment{}, nil, err
	}
	if len(atts) == 0 {
		return Attachment{}, nil, errs.NotFoundf("attachment")
	}
	a = atts[0]
	if a.Damaged {
		return Attachment{}, nil, damagedError(Damage{Kind: "attachment", ID: a.ID, LedgerIndex: a.LedgerIndex, Err: errors.New("its name does not open")})
	}
	data, err = s.attachmentData(a)
	var pe *fs.PathError
	if errors.As(err, &pe) && !errors.Is(err, fs.ErrNotExist) {
		return Attachment{}, nil, err // the disk failed to read it: not the file's fault
	}
	if err != nil {
		d := Damage{Kind: "attachment", ID: a.ID, LedgerIndex: a.LedgerIndex, Err: err}
		s.damaged(d)
		return Attachment{}, nil, damagedError(d)
	}
	return a, data, nil
}

// attachmentData reads, opens and checks an attachment's file.
func (s *Service) attachmentData(a Attachment) ([]byte, error) {
	sealed, err := os.ReadFile(filepath.Join(s.dir, a.ID))
	if err != nil {
		return nil, err
	}
	data, err := s.keys.open("attachment", a.ID, sealed)
	if err != nil {
		return nil, err
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != a.SHA256 || int64(len(data)) != a.Size {
		return nil, fmt.Errorf("the file does not match its SHA-256 and size")
	}
	return data, nil
}
