package interchange

import (
	"bufio"
	"bytes"
	"io"
)

// bom is the UTF-8 byte order mark that Windows editors and spreadsheet
// exports put at the start of a file. It is not part of the first line's
// JSON, and parsing it would get that line rejected.
var bom = []byte("\xef\xbb\xbf")

// LineReader reads the lines of an interchange file without keeping more
// than a limit of any of them, so one huge line costs neither memory nor
// the rest of the file: the line is reported with its length, for the
// caller to reject, and reading goes on with the next.
type LineReader struct {
	br    *bufio.Reader
	buf   []byte
	limit int
	first bool
}

// NewLineReader reads r, keeping at most limit bytes of a line.
func NewLineReader(r io.Reader, limit int) *LineReader {
	return &LineReader{br: bufio.NewReaderSize(r, 64<<10), limit: limit, first: true}
}

// Next returns the next line without its line ending ("\n" or "\r\n") and
// its length. When the length is over the limit, text holds only a prefix
// of the line. text is valid until the next call. At the end of the input
// it returns io.EOF.
func (lr *LineReader) Next() (text []byte, length int, err error) {
	lr.buf = lr.buf[:0]
	var tail []byte // the last two bytes read, to find the line ending of an overlong line
	for {
		chunk, err := lr.br.ReadSlice('\n')
		length += len(chunk)
		if room := lr.limit + 2 - len(lr.buf); room > 0 {
			lr.buf = append(lr.buf, chunk[:min(room, len(chunk))]...)
		}
		tail = append(tail, chunk[max(0, len(chunk)-2):]...)
		tail = tail[max(0, len(tail)-2):]
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF && length > 0 {
			break // a last line without a newline
		}
		if err != nil {
			return nil, 0, err
		}
		break
	}
	if bytes.HasSuffix(tail, []byte("\n")) {
		length--
		if bytes.HasSuffix(tail, []byte("\r\n")) {
			length--
		}
	}
	lr.buf = lr.buf[:min(len(lr.buf), length)]
	if lr.first {
		lr.first = false
		if bytes.HasPrefix(lr.buf, bom) {
			lr.buf = lr.buf[len(bom):]
			length -= len(bom)
		}
	}
	return lr.buf, length, nil
}
