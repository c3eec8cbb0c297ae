package auth

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/crypto/chacha20poly1305"
)

// TOTP secrets at rest. A TOTP secret is a password the server must be able
// to read back, so it cannot be hashed; whoever reads it from a copied
// database can produce the user's codes. It is sealed like the talks'
// content: XChaCha20-Poly1305 under a key the app derives from the master
// key kept outside the database (Options.SecretKey), with the user id as
// associated data, so a sealed secret copied onto another user's row does
// not open. The column holds "v1:" + base64(nonce || ciphertext).

// sealedPrefix marks a sealed secret; anything else is a secret stored in
// clear by an earlier version, which SealSecrets seals.
const sealedPrefix = "v1:"

// SecretKeySize is the length of Options.SecretKey.
const SecretKeySize = chacha20poly1305.KeySize

func newSecretAEAD(key []byte) (cipher.AEAD, error) {
	if key == nil {
		return nil, nil
	}
	if len(key) != SecretKeySize {
		return nil, fmt.Errorf("auth: the secret key has %d bytes, want %d", len(key), SecretKeySize)
	}
	return chacha20poly1305.NewX(key)
}

func secretAD(userID string) []byte { return []byte("parley/totp/" + userID) }

// sealSecret is what is stored for a user's TOTP secret: sealed when the
// service has a key, else as given.
func (s *Service) sealSecret(userID, secret string) string {
	if s.secrets == nil {
		return secret
	}
	nonce := make([]byte, chacha20poly1305.NonceSizeX, chacha20poly1305.NonceSizeX+len(secret)+s.secrets.Overhead())
	rand.Read(nonce)
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(s.secrets.Seal(nonce, nonce, []byte(secret), secretAD(userID)))
}

// openSecret reverses sealSecret. A secret stored in clear (before
// SealSecrets ran) is returned as it is.
func (s *Service) openSecret(userID, stored string) (string, error) {
	b64, sealed := strings.CutPrefix(stored, sealedPrefix)
	if !sealed {
		return stored, nil
	}
	if s.secrets == nil {
		return "", fmt.Errorf("auth: user %s has a sealed TOTP secret and the service has no key", userID)
	}
	raw, err := base64.RawStdEncoding.DecodeString(b64)
	if err != nil || len(raw) < chacha20poly1305.NonceSizeX {
		return "", fmt.Errorf("auth: the sealed TOTP secret of user %s is malformed", userID)
	}
	pt, err := s.secrets.Open(nil, raw[:chacha20poly1305.NonceSizeX], raw[chacha20poly1305.NonceSizeX:], secretAD(userID))
	if err != nil {
		return "", fmt.Errorf("auth: the TOTP secret of user %s does not open with this master key: %w", userID, err)
	}
	return string(pt), nil
}

// SealSecrets seals the TOTP secrets an earlier version stored in clear,
// in one transaction; the app runs it at start. Without a key it does
// nothing. It returns how many it sealed.
func (s *Service) SealSecrets(ctx context.Context) (int, error) {
	if s.secrets == nil {
		return 0, nil
	}
	n := 0
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT id, totp_secret FROM users WHERE totp_secret <> '' AND totp_secret NOT LIKE 'v1:%'")
		if err != nil {
			return err
		}
		clear := map[string]string{}
		for rows.Next() {
			var id, secret string
			if err := rows.Scan(&id, &secret); err != nil {
				rows.Close()
				return err
			}
			clear[id] = secret
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for id, secret := range clear {
			if _, err := tx.ExecContext(ctx, "UPDATE users SET totp_secret = $1 WHERE id = $2", s.sealSecret(id, secret), id); err != nil {
				return err
			}
		}
		n = len(clear)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("auth: sealing TOTP secrets: %w", err)
	}
	return n, nil
}
