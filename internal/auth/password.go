package auth

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"parley/internal/errs"
)

// HashParams are argon2id parameters.
type HashParams struct {
	Time      uint32 // passes over memory
	MemoryKiB uint32 // memory in KiB
	Threads   uint8  // parallelism
	KeyLen    uint32 // bytes of output
	SaltLen   int    // bytes of random salt
}

// DefaultHashParams meet OWASP's argon2id minimum (m=19 MiB, t=2, p=1), the
// bar of ASVS level 2. Tests check that New uses them when no override is
// given.
var DefaultHashParams = HashParams{Time: 2, MemoryKiB: 19 * 1024, Threads: 1, KeyLen: 32, SaltLen: 16}

// The password length rule, counted in characters (runes), not bytes.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 128
)

// maxPasswordBytes caps what is hashed at login: a password longer than the
// policy can never be right, and the cap keeps huge inputs cheap to refuse
// while still running argon2 like every other attempt.
const maxPasswordBytes = 4 * MaxPasswordLen

var phcB64 = base64.RawStdEncoding

// hashPassword returns the PHC string of pw:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>.
func hashPassword(pw string, p HashParams) string {
	salt := make([]byte, p.SaltLen)
	rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.MemoryKiB, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.MemoryKiB, p.Time, p.Threads, phcB64.EncodeToString(salt), phcB64.EncodeToString(key))
}

// parsePHC reads an argon2id PHC string. It refuses parameters outside sane
// bounds so that a corrupt row cannot make a login allocate gigabytes.
func parsePHC(phc string) (p HashParams, salt, key []byte, err error) {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, fmt.Errorf("not an argon2id PHC string")
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, fmt.Errorf("unsupported argon2 version %q", parts[2])
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, fmt.Errorf("bad argon2 parameters %q", parts[3])
	}
	if p.Time < 1 || p.Time > 16 || p.MemoryKiB < 8 || p.MemoryKiB > 1<<21 || p.Threads < 1 || p.Threads > 16 {
		return p, nil, nil, fmt.Errorf("argon2 parameters out of bounds %q", parts[3])
	}
	if salt, err = phcB64.DecodeString(parts[4]); err != nil || len(salt) < 8 {
		return p, nil, nil, fmt.Errorf("bad salt")
	}
	if key, err = phcB64.DecodeString(parts[5]); err != nil || len(key) < 16 || len(key) > 64 {
		return p, nil, nil, fmt.Errorf("bad hash")
	}
	p.KeyLen, p.SaltLen = uint32(len(key)), len(salt)
	return p, salt, key, nil
}

// checkHash reports whether pw matches phc, comparing in constant time.
func checkHash(phc, pw string) (ok bool, p HashParams, err error) {
	p, salt, key, err := parsePHC(phc)
	if err != nil {
		return false, p, err
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.MemoryKiB, p.Threads, p.KeyLen)
	return subtle.ConstantTimeCompare(got, key) == 1, p, nil
}

// verify checks pw against phc, waiting for a hashing slot. Every login
// attempt calls it exactly once, with the dummy hash for unknown users, so
// unknown users and wrong passwords take the same path.
func (s *Service) verify(ctx context.Context, phc, pw string) (ok bool, stale bool) {
	tooLong := len(pw) > maxPasswordBytes
	if tooLong {
		pw = ""
	}
	select {
	case s.hashes <- struct{}{}:
	case <-ctx.Done():
		return false, false
	}
	defer func() { <-s.hashes }()
	s.verifies.Add(1)
	ok, p, err := checkHash(phc, pw)
	if err != nil {
		s.log.Error("auth: unreadable password hash", "err", err)
		return false, false
	}
	return ok && !tooLong, p.Time < s.params.Time || p.MemoryKiB < s.params.MemoryKiB || p.Threads < s.params.Threads
}

// hash computes a new hash with the service's parameters, waiting for a
// hashing slot.
func (s *Service) hash(ctx context.Context, pw string) (string, error) {
	select {
	case s.hashes <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-s.hashes }()
	return hashPassword(pw, s.params), nil
}

//go:embed common-passwords.txt
var commonPasswordFile []byte

// commonPasswords holds the bundled list, lower-cased. Lines starting with
// '#' are the file's provenance header.
var commonPasswords = func() map[string]struct{} {
	m := make(map[string]struct{}, 10000)
	sc := bufio.NewScanner(bytes.NewReader(commonPasswordFile))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		m[line] = struct{}{}
	}
	return m
}()

// IsCommonPassword reports whether pw (in any letter case) is in the bundled
// list of common passwords.
func IsCommonPassword(pw string) bool {
	_, ok := commonPasswords[strings.ToLower(pw)]
	return ok
}

func weak(format string, args ...any) error {
	e := errs.New(CodeWeakPassword, format, args...)
	e.Field = "password"
	return e
}

// CheckPasswordPolicy checks a new password: 12 to 128 characters, valid
// UTF-8, and not in the bundled list of common passwords. It returns an error
// with code "weak_password" and field "password" explaining what is wrong.
// There are no composition rules (ASVS: length and a block list instead).
func CheckPasswordPolicy(pw string) error {
	if !utf8.ValidString(pw) {
		return weak("the password is not valid text")
	}
	n := utf8.RuneCountInString(pw)
	if n < MinPasswordLen {
		return weak("the password must be at least %d characters long (it has %d)", MinPasswordLen, n)
	}
	if n > MaxPasswordLen {
		return weak("the password must be at most %d characters long (it has %d)", MaxPasswordLen, n)
	}
	if IsCommonPassword(pw) {
		return weak("this password is one of the most common passwords; choose another")
	}
	return nil
}

// checkPasswordFor adds the context rule to the policy: a password must not
// contain the account's own username.
func checkPasswordFor(username, pw string) error {
	if err := CheckPasswordPolicy(pw); err != nil {
		return err
	}
	if len(username) >= 3 && strings.Contains(strings.ToLower(pw), strings.ToLower(username)) {
		return weak("the password must not contain the username")
	}
	return nil
}
