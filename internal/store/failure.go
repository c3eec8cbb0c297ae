package store

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"parley/internal/errs"
)

// RetryAfter is the Retry-After, in seconds, sent with database_unavailable:
// long enough for a restarted PostgreSQL or a pool to recover, short enough
// for a person waiting.
const RetryAfter = 5

// Classify turns a failure of the storage into the error the caller should
// see: errs.StorageFull (507) when the disk holding the database or the
// attachments is full, errs.DatabaseUnavailable (503, with Retry-After)
// when the database cannot be reached, closed the connection, is shutting
// down or is overloaded. Anything else, including errors that already carry
// a code, is returned unchanged. The HTTP layers call it before mapping an
// error to a status.
func Classify(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := errs.As(err); ok {
		return err
	}
	switch {
	case storageFull(err):
		return &errs.Error{Code: errs.StorageFull, Message: "the server's storage is full; nothing was saved", Err: err}
	case databaseUnavailable(err):
		return &errs.Error{Code: errs.DatabaseUnavailable, Message: "the database is unavailable; nothing was saved, try again shortly", Err: err}
	}
	return err
}

func storageFull(err error) bool {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "53100" // disk_full
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code()&0xff == sqlite3.SQLITE_FULL
	}
	return false
}

func databaseUnavailable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case strings.HasPrefix(pe.Code, "08"): // connection exception
			return true
		case pe.Code == "57P01", pe.Code == "57P02", pe.Code == "57P03": // admin or crash shutdown, cannot connect now
			return true
		case pe.Code == "53300", pe.Code == "53200": // too many connections, out of memory
			return true
		}
		return false
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code() & 0xff
		// CANTOPEN: the file is gone (a read after it was removed).
		return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED || c == sqlite3.SQLITE_CANTOPEN
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	// pgx reports a statement on a connection it already closed (after a
	// terminated backend) with an unexported error whose text is all there
	// is to go by.
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.ErrUnexpectedEOF) || pgconn.Timeout(err) ||
		strings.Contains(err.Error(), "conn closed")
}

// checkFile refuses to commit a write into an SQLite file that is no longer
// the one at Path (removed, or replaced by a restore under the running
// server): SQLite would write into the unlinked file without a word, and
// every write acknowledged from then on would be gone at the next start.
// One stat per write transaction. The answer is database_unavailable until
// the server is restarted on the file now at Path.
func (db *DB) checkFile() error {
	if db.file == nil {
		return nil
	}
	fi, err := os.Stat(db.Path)
	if err == nil && os.SameFile(fi, db.file) {
		return nil
	}
	cause := fmt.Errorf("the database file %s was removed or replaced while the server had it open (%v); restart parley on the right file", db.Path, err)
	if err == nil {
		cause = fmt.Errorf("the database file %s was replaced while the server had it open; restart parley on the right file", db.Path)
	}
	return &errs.Error{Code: errs.DatabaseUnavailable, Message: "the database is unavailable; nothing was saved, try again shortly", Err: cause}
}
