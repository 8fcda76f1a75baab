package server

import (
	"fmt"
	"io"

	"github.com/wuhai-techmarket/techmarket/auth"
	"github.com/wuhai-techmarket/techmarket/market"
	techmarketv1 "github.com/wuhai-techmarket/techmarket/proto/techmarket/v1"
)

// backupChunk is the size of one backup message: well under the message
// limit, large enough that a gigabyte is a thousand messages.
const backupChunk = 1 << 20

type adminServer struct {
	techmarketv1.UnimplementedAdminServiceServer
	m *market.Market
}

func (s *adminServer) Backup(_ *techmarketv1.BackupRequest, stream techmarketv1.AdminService_BackupServer) error {
	if !auth.FromContext(stream.Context()).IsOperator() {
		return fmt.Errorf("%w: backups are for operators", market.ErrPermissionDenied)
	}
	w := &chunkWriter{send: stream.Send}
	_, err := s.m.Store().Backup(w, func(size int64) { w.total = size })
	if err == nil {
		err = w.flush()
	}
	return err
}

// chunkWriter sends what is written to it in backupChunk pieces.
type chunkWriter struct {
	send  func(*techmarketv1.BackupResponse) error
	buf   []byte
	total int64 // sent with the first piece
	sent  bool
}

func (w *chunkWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		take := min(backupChunk-len(w.buf), len(p))
		w.buf = append(w.buf, p[:take]...)
		p = p[take:]
		if len(w.buf) == backupChunk {
			if err := w.flush(); err != nil {
				return 0, err
			}
		}
	}
	return n, nil
}

func (w *chunkWriter) flush() error {
	if len(w.buf) == 0 && w.sent {
		return nil
	}
	resp := &techmarketv1.BackupResponse{Chunk: w.buf}
	if !w.sent {
		resp.TotalSize = w.total
	}
	if err := w.send(resp); err != nil {
		return err
	}
	w.sent = true
	w.buf = make([]byte, 0, backupChunk)
	return nil
}

var _ io.Writer = (*chunkWriter)(nil)
