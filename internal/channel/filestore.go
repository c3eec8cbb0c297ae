package channel

import (
	"fmt"
	"os"
	"path/filepath"
)

// FileStore keeps files sealed at rest in a folder, the way the channel
// keeps its attachments: each file sealed under the master key with its
// kind and id bound in (so a file moved under another id fails to open),
// written and synced before the transaction that records it. Other
// packages (ceasefire evidence) keep their files through it.
type FileStore struct {
	dir  string
	keys *keyring
}

// NewFileStore returns a store of files sealed under master in dir,
// creating the folder (mode 0700) when missing.
func NewFileStore(master []byte, dir string) (*FileStore, error) {
	k, err := newKeyring(master)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("file store: %w", err)
	}
	return &FileStore{dir: dir, keys: k}, nil
}

// Put seals data as the file id of the given kind and writes it, synced.
// An id is written once.
func (f *FileStore) Put(kind, id string, data []byte) error {
	return writeSynced(filepath.Join(f.dir, id), f.keys.seal(kind, id, data))
}

// Get reads and opens the file id of the given kind.
func (f *FileStore) Get(kind, id string) ([]byte, error) {
	sealed, err := os.ReadFile(filepath.Join(f.dir, id))
	if err != nil {
		return nil, err
	}
	return f.keys.open(kind, id, sealed)
}

// Seal seals a value kept in a database row (a ceasefire report's
// narrative) under the same key as the files, bound to its kind and id.
func (f *FileStore) Seal(kind, id string, plaintext []byte) []byte {
	return f.keys.seal(kind, id, plaintext)
}

// Open reverses Seal; a value changed or moved to another row fails.
func (f *FileStore) Open(kind, id string, sealed []byte) ([]byte, error) {
	return f.keys.open(kind, id, sealed)
}

// Remove deletes the file id, after a transaction that was to record it
// failed.
func (f *FileStore) Remove(id string) { os.Remove(filepath.Join(f.dir, id)) }

// CleanName keeps the base name of an uploaded file, printable and short.
func CleanName(n string) string { return cleanName(n) }
