package channel

import (
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/crypto/chacha20poly1305"
)

// MasterKeyEnv names the environment variable that points at the master key
// file when it is not the default "master.key" in the data folder.
const MasterKeyEnv = "PARLEY_MASTER_KEY_FILE"

// MasterKeySize is the length of the master key in bytes.
const MasterKeySize = 32

// MasterKeyPath is where the master key lives: the file named by
// PARLEY_MASTER_KEY_FILE, else master.key in the data folder.
func MasterKeyPath(dataDir string) (string, error) {
	if p := os.Getenv(MasterKeyEnv); p != "" {
		return p, nil
	}
	if dataDir == "" {
		return "", fmt.Errorf("no data folder for master.key: set %s", MasterKeyEnv)
	}
	return filepath.Join(dataDir, "master.key"), nil
}

// LoadOrCreateMasterKey reads the master key at path, creating it (32 random
// bytes, mode 0600) when the file does not exist. A key file that others
// can read, or of the wrong length, is refused: the key is what keeps the
// talks' content unreadable in a copied database.
func LoadOrCreateMasterKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key := make([]byte, MasterKeySize)
		rand.Read(key)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("create master key: %w", err)
		}
		if _, err := f.Write(key); err != nil {
			f.Close()
			return nil, fmt.Errorf("write master key: %w", err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, fmt.Errorf("write master key: %w", err)
		}
		if err := f.Close(); err != nil {
			return nil, fmt.Errorf("write master key: %w", err)
		}
		return key, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read master key: %w", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read master key: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("master key %s is readable by others (mode %v): chmod 600 it", path, fi.Mode().Perm())
	}
	if len(b) != MasterKeySize {
		return nil, fmt.Errorf("master key %s has %d bytes, want %d", path, len(b), MasterKeySize)
	}
	return b, nil
}

// LoadMasterKey loads (or creates) the master key in its usual place:
// PARLEY_MASTER_KEY_FILE, else master.key in the data folder.
func LoadMasterKey(dataDir string) ([]byte, error) {
	path, err := MasterKeyPath(dataDir)
	if err != nil {
		return nil, err
	}
	return LoadOrCreateMasterKey(path)
}

// DeriveKey derives from the master key a 32-byte key for another use,
// named by label (say "parley totp seal v1"): keys for different uses are
// independent, and none reveals the master key.
func DeriveKey(master []byte, label string) []byte { return derive(master, label) }

// keyring holds the keys derived from the master key: one for sealing
// content, one for the blind search index. Deriving them separately means
// the index key reveals nothing about sealed content and vice versa.
type keyring struct {
	aead  cipher.AEAD
	index []byte
}

func newKeyring(master []byte) (*keyring, error) {
	if len(master) != MasterKeySize {
		return nil, fmt.Errorf("master key has %d bytes, want %d", len(master), MasterKeySize)
	}
	aead, err := chacha20poly1305.NewX(derive(master, "parley channel seal v1"))
	if err != nil {
		return nil, err
	}
	return &keyring{aead: aead, index: derive(master, "parley channel search index v1")}, nil
}

// derive is HMAC-SHA256(master, label): a PRF, which is all a key
// derivation from one uniformly random key needs.
func derive(master []byte, label string) []byte {
	m := hmac.New(sha256.New, master)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// seal encrypts plaintext for the item id of a given kind ("message",
// "attachment", ...). The associated data binds the ciphertext to both, so a
// sealed body moved onto another row fails to open instead of showing up
// under the wrong message. The result is nonce || ciphertext.
func (k *keyring) seal(kind, id string, plaintext []byte) []byte {
	nonce := make([]byte, chacha20poly1305.NonceSizeX, chacha20poly1305.NonceSizeX+len(plaintext)+k.aead.Overhead())
	rand.Read(nonce)
	return k.aead.Seal(nonce, nonce, plaintext, ad(kind, id))
}

// open reverses seal.
func (k *keyring) open(kind, id string, sealed []byte) ([]byte, error) {
	if len(sealed) < chacha20poly1305.NonceSizeX {
		return nil, fmt.Errorf("sealed %s %s is too short", kind, id)
	}
	pt, err := k.aead.Open(nil, sealed[:chacha20poly1305.NonceSizeX], sealed[chacha20poly1305.NonceSizeX:], ad(kind, id))
	if err != nil {
		return nil, fmt.Errorf("open sealed %s %s: %w", kind, id, err)
	}
	return pt, nil
}

func ad(kind, id string) []byte { return []byte("parley/" + kind + "/" + id) }

// term is the blind index entry of one normalised token: a keyed HMAC,
// truncated to 16 bytes (collisions among 2^64 tokens are not a concern).
func (k *keyring) term(token string) []byte {
	m := hmac.New(sha256.New, k.index)
	m.Write([]byte(token))
	return m.Sum(nil)[:16]
}
