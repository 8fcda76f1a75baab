// Package netsplit serves native gRPC and HTTP/1.1 on one plain-text port.
// It tells them apart by the first bytes of each connection: a native gRPC
// client opens with the HTTP/2 connection preface (h2c, prior knowledge),
// while a browser on plain text speaks HTTP/1.1, since browsers use HTTP/2
// only over TLS. Each kind of connection then goes to its own server, so
// native gRPC keeps grpc-go's own transport, with nothing in its way once
// the preface is read.
package netsplit

import (
	"bufio"
	"errors"
	"io"
	"net"
	"sync"
	"time"
)

// preface is the HTTP/2 client connection preface (RFC 9113, 3.4).
const preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

// SniffTimeout bounds how long a new connection may take to send the
// bytes that tell what it is: a client that connects and says nothing
// must not hold a socket for ever.
const SniffTimeout = 10 * time.Second

// Split is a listener divided in two: HTTP2 yields the connections that
// open with the HTTP/2 preface, HTTP1 all others. Closing either closes
// both, and the listener under them.
type Split struct {
	root   net.Listener
	h2, h1 *sub
	done   chan struct{}
	once   sync.Once

	mu       sync.Mutex
	sniffing map[net.Conn]struct{} // accepted, not yet handed out
}

// New splits lis and starts accepting on it.
func New(lis net.Listener) *Split {
	s := &Split{root: lis, done: make(chan struct{}), sniffing: map[net.Conn]struct{}{}}
	s.h2 = &sub{s: s, conns: make(chan net.Conn)}
	s.h1 = &sub{s: s, conns: make(chan net.Conn)}
	go s.accept()
	return s
}

// HTTP2 is the listener of the connections that opened with the HTTP/2
// preface: serve native gRPC on it.
func (s *Split) HTTP2() net.Listener { return s.h2 }

// HTTP1 is the listener of every other connection.
func (s *Split) HTTP1() net.Listener { return s.h1 }

// Close stops accepting, closes the listener under the split and the
// connections not yet handed out. Those handed out are their servers' to
// close.
func (s *Split) Close() error {
	var err error
	s.once.Do(func() {
		close(s.done)
		err = s.root.Close()
		s.mu.Lock()
		for c := range s.sniffing {
			_ = c.Close()
		}
		s.mu.Unlock()
	})
	return err
}

func (s *Split) accept() {
	for {
		c, err := s.root.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue // a passing shortage of file descriptors
			}
			_ = s.Close()
			return
		}
		// Sniffed apart from the accept loop: a slow client delays only
		// itself.
		go s.route(c)
	}
}

// route reads as much of the preface as the connection's first bytes
// match and hands the connection, those bytes included, to the
// listener of its kind.
func (s *Split) route(c net.Conn) {
	s.mu.Lock()
	s.sniffing[c] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.sniffing, c)
		s.mu.Unlock()
	}()
	select {
	case <-s.done: // closed before it was tracked
		_ = c.Close()
		return
	default:
	}
	if err := c.SetReadDeadline(time.Now().Add(SniffTimeout)); err != nil {
		_ = c.Close()
		return
	}
	r := bufio.NewReaderSize(c, len(preface))
	h2, err := opensWithPreface(r)
	if err != nil || c.SetReadDeadline(time.Time{}) != nil {
		_ = c.Close()
		return
	}
	to := s.h1
	if h2 {
		to = s.h2
	}
	select {
	case to.conns <- &sniffed{Conn: c, r: r}:
	case <-s.done:
		_ = c.Close()
	}
}

// opensWithPreface peeks at r's first bytes one more at a time, so that
// it stops at the first byte that differs from the preface instead of
// waiting for 24 bytes a short request may never send.
func opensWithPreface(r *bufio.Reader) (bool, error) {
	for n := 1; n <= len(preface); n++ {
		b, err := r.Peek(n)
		if err != nil {
			if errors.Is(err, io.EOF) && n > 1 {
				return false, nil // a short request: the HTTP server answers it
			}
			return false, err
		}
		if b[n-1] != preface[n-1] {
			return false, nil
		}
	}
	return true, nil
}

// sniffed is a connection whose first bytes were read into r.
type sniffed struct {
	net.Conn
	r *bufio.Reader
}

func (c *sniffed) Read(p []byte) (int, error) { return c.r.Read(p) }

// sub is one side of a Split.
type sub struct {
	s     *Split
	conns chan net.Conn
}

func (l *sub) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.s.done:
		return nil, net.ErrClosed
	}
}

func (l *sub) Close() error   { return l.s.Close() }
func (l *sub) Addr() net.Addr { return l.s.root.Addr() }
