package store

import (
	"io"

	bolt "go.etcd.io/bbolt"
)

// Backup writes a consistent copy of the whole store to w, taken in one
// read transaction while writers go on, and returns the size of the copy
// (known before any byte is written, through size). The copy is a store
// file: opened as one, it holds exactly what was committed when the
// backup began.
func (s *Store) Backup(w io.Writer, size func(int64)) (int64, error) {
	var n int64
	err := s.view(func(btx *bolt.Tx) error {
		if size != nil {
			size(btx.Size())
		}
		var err error
		n, err = btx.WriteTo(w)
		return err
	})
	return n, err
}
