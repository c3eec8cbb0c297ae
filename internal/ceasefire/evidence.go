package ceasefire

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"mime"
	"net/http"
	"time"
	"unicode/utf8"

	"parley/internal/access"
	"parley/internal/channel"
	"parley/internal/errs"
	"parley/internal/ledger"
	"parley/internal/store"
)

// Evidence is a stored evidence file's description. The file itself is
// kept exactly as uploaded (sealed at rest); SHA256 is of those bytes, and
// the upload's ledger event carries the same hash as its content hash.
type Evidence struct {
	ID          string
	ReportID    string
	Name        string
	ContentType string
	Size        int64
	SHA256      string // hex
	CapturedAt  time.Time
	CreatedAt   time.Time
	LedgerIndex int64
}

// EvidenceTypes are the accepted evidence types: photographs, video,
// documents and plain text.
var EvidenceTypes = []string{"image/jpeg", "image/png", "image/webp", "image/gif", "application/pdf", "video/mp4", "video/webm", "text/plain"}

// sniffEvidence says what the content is, among EvidenceTypes, or "".
func sniffEvidence(data []byte) string {
	ct, _, _ := mime.ParseMediaType(http.DetectContentType(data))
	if ct == "text/plain" && !utf8.Valid(data) {
		return ""
	}
	if oneOf(ct, EvidenceTypes) {
		return ct
	}
	return ""
}

// AddEvidence stores a file for a report the actor reads. Parties,
// monitors, guarantors and the mediation add evidence. The file is sealed
// and synced before the transaction; a failed transaction removes it.
func (s *Service) AddEvidence(ctx context.Context, actor access.Actor, reportID, name string, data []byte) (ev Evidence, err error) {
	defer errs.Wrap(&err, "ceasefire.AddEvidence(%s)", reportID)
	if !store.ValidID(reportID) || actor.Anonymous() {
		return ev, errs.NotFoundf("report")
	}
	if int64(len(data)) > MaxEvidence {
		return ev, &errs.Error{Code: EvidenceTooLarge, Field: "file", Message: fmt.Sprintf("evidence files are at most %d MiB", MaxEvidence>>20)}
	}
	if len(data) == 0 {
		return ev, errs.Field("file", "the file is empty")
	}
	ct := sniffEvidence(data)
	if ct == "" {
		return ev, &errs.Error{Code: EvidenceType, Field: "file", Message: "evidence is a photograph (JPEG, PNG, WebP, GIF), a video (MP4, WebM), a PDF or plain text"}
	}
	sum := sha256.Sum256(data)
	ev = Evidence{ID: store.NewID(), ReportID: reportID, Name: channel.CleanName(name), ContentType: ct, Size: int64(len(data)),
		SHA256: hex.EncodeToString(sum[:]), CreatedAt: s.now().UTC()}
	if ct == "image/jpeg" {
		ev.CapturedAt = exifCaptureTime(data)
	}
	if err := s.files.Put("evidence", ev.ID, data); err != nil {
		return ev, fmt.Errorf("store evidence: %w", err)
	}
	err = s.led.Write(ctx, func(tx *sql.Tx, rec *ledger.Recorder) error {
		c, err := reportCapacity(ctx, tx, actor, reportID)
		if err != nil {
			return err
		}
		if err := mayReport(c); err != nil {
			return err
		}
		aud, err := access.AudienceOf(ctx, tx, reportID)
		if err != nil {
			return err
		}
		// The event's content is the file itself, so that its content
		// hash is the file's SHA-256: whoever reads the event checks the
		// file against the record.
		e, err := rec.Append(ctx, ledger.Event{Type: "ceasefire.evidence", Actor: actor, ObjectType: "ceasefire_evidence", ObjectID: ev.ID,
			Audience: aud, Content: data})
		if err != nil {
			return err
		}
		ev.LedgerIndex = e.Index
		_, err = tx.ExecContext(ctx, `INSERT INTO ceasefire_evidence(id, report_id, name, content_type, size, sha256, captured_at, created_by, created_at, ledger_idx)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, ev.ID, reportID, ev.Name, ct, ev.Size, ev.SHA256, stampOrZero(ev.CapturedAt),
			actor.User, store.Stamp(ev.CreatedAt), e.Index)
		return err
	})
	if err != nil {
		s.files.Remove(ev.ID)
	}
	return ev, err
}

// reportCapacity finds a report the actor reads, for a write about it,
// and returns the actor's capacity in its process; a report the actor
// does not read is not found.
func reportCapacity(ctx context.Context, tx *sql.Tx, actor access.Actor, reportID string) (access.Capacity, error) {
	cond, arg := access.ReadableBy(actor, "r.id", 2)
	var processID string
	err := tx.QueryRowContext(ctx, "SELECT r.process_id FROM ceasefire_reports r WHERE r.id = $1 AND "+cond, reportID, arg).Scan(&processID)
	if err == sql.ErrNoRows {
		return access.Capacity{}, errs.NotFoundf("report")
	}
	if err != nil {
		return access.Capacity{}, err
	}
	return access.ProcessCapacity(ctx, tx, actor, processID)
}

func stampOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return store.Stamp(t)
}

func (s *Service) evidenceOf(ctx context.Context, tx *sql.Tx, actor access.Actor, reportID string) ([]Evidence, error) {
	cond, arg := access.ReadableBy(actor, "e.report_id", 2)
	rows, err := tx.QueryContext(ctx, `SELECT e.id, e.report_id, e.name, e.content_type, e.size, e.sha256, e.captured_at, e.created_at, e.ledger_idx
		FROM ceasefire_evidence e WHERE e.report_id = $1 AND `+cond+` ORDER BY e.created_at, e.id`, reportID, arg)
	if err != nil {
		return nil, err
	}
	return scanEvidence(rows)
}

func scanEvidence(rows *sql.Rows) ([]Evidence, error) {
	defer rows.Close()
	var out []Evidence
	for rows.Next() {
		var e Evidence
		var captured, created int64
		if err := rows.Scan(&e.ID, &e.ReportID, &e.Name, &e.ContentType, &e.Size, &e.SHA256, &captured, &created, &e.LedgerIndex); err != nil {
			return nil, err
		}
		if captured > 0 {
			e.CapturedAt = store.Time(captured)
		}
		e.CreatedAt = store.Time(created)
		out = append(out, e)
	}
	return out, rows.Err()
}

// OpenEvidence returns an evidence file and its bytes, for a reader of its
// report; the bytes are checked against the stored SHA-256 on the way out.
func (s *Service) OpenEvidence(ctx context.Context, actor access.Actor, id string) (ev Evidence, data []byte, err error) {
	defer errs.Wrap(&err, "ceasefire.OpenEvidence(%s)", id)
	if !store.ValidID(id) || actor.Anonymous() {
		return ev, nil, errs.NotFoundf("evidence")
	}
	cond, arg := access.ReadableBy(actor, "e.report_id", 2)
	rows, err := s.db.R.QueryContext(ctx, `SELECT e.id, e.report_id, e.name, e.content_type, e.size, e.sha256, e.captured_at, e.created_at, e.ledger_idx
		FROM ceasefire_evidence e WHERE e.id = $1 AND `+cond, id, arg)
	if err != nil {
		return ev, nil, err
	}
	evs, err := scanEvidence(rows)
	if err != nil {
		return ev, nil, err
	}
	if len(evs) == 0 {
		return ev, nil, errs.NotFoundf("evidence")
	}
	ev = evs[0]
	data, err = s.files.Get("evidence", ev.ID)
	if err != nil {
		return ev, nil, err
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != ev.SHA256 {
		return ev, nil, fmt.Errorf("evidence %s does not match its SHA-256", ev.ID)
	}
	return ev, data, nil
}

// exifCaptureTime reads DateTimeOriginal (or DateTime) from a JPEG's EXIF
// segment, or returns the zero time. It reads only what it needs: the APP1
// segment, the TIFF header, IFD0 and the EXIF sub-IFD; anything malformed
// gives the zero time. EXIF times carry no zone; they are read as UTC.
func exifCaptureTime(b []byte) time.Time {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return time.Time{}
	}
	for i := 2; i+4 <= len(b) && b[i] == 0xFF; {
		marker := b[i+1]
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if n < 2 || i+2+n > len(b) || marker == 0xDA {
			break
		}
		seg := b[i+4 : i+2+n]
		if marker == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return tiffTime(seg[6:])
		}
		i += 2 + n
	}
	return time.Time{}
}

func tiffTime(t []byte) time.Time {
	if len(t) < 8 {
		return time.Time{}
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return time.Time{}
	}
	entries := func(off uint32) map[uint16][2]uint32 {
		out := map[uint16][2]uint32{}
		if int(off)+2 > len(t) {
			return out
		}
		n := int(bo.Uint16(t[off:]))
		for k := 0; k < n; k++ {
			p := int(off) + 2 + 12*k
			if p+12 > len(t) {
				break
			}
			out[bo.Uint16(t[p:])] = [2]uint32{bo.Uint32(t[p+4:]), bo.Uint32(t[p+8:])} // count, value/offset
		}
		return out
	}
	ascii := func(e [2]uint32) string {
		if e[0] != 20 || int(e[1])+19 > len(t) {
			return ""
		}
		return string(t[e[1] : e[1]+19])
	}
	ifd0 := entries(bo.Uint32(t[4:]))
	s := ""
	if sub, ok := ifd0[0x8769]; ok {
		if e, ok := entries(sub[1])[0x9003]; ok {
			s = ascii(e)
		}
	}
	if e, ok := ifd0[0x0132]; ok && s == "" {
		s = ascii(e)
	}
	at, err := time.Parse("2006:01:02 15:04:05", s)
	if err != nil {
		return time.Time{}
	}
	return at.UTC()
}
