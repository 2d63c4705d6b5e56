package api

import (
	"net/http"

	"altrepo/libs/model"
)

// Stream writes a large JSON answer incrementally, flushing to the client
// every flushBytes so memory stays flat and the first bytes leave early.
type Stream struct {
	w   http.ResponseWriter
	buf []byte
	n   int
}

const flushBytes = 64 << 10

// Raw appends JSON text as it is.
func (s *Stream) Raw(b string) { s.buf = append(s.buf, b...); s.maybeFlush() }

// Key writes `"name":` (callers add commas themselves with Raw).
func (s *Stream) Key(name string) {
	s.buf = model.AppendString(s.buf, name)
	s.buf = append(s.buf, ':')
}

// Value appends any value rendered as a Raw field.
func (s *Stream) Value(v any) { s.buf = model.AppendRaw(s.buf, v); s.maybeFlush() }

// Record appends v rendered through m.
func (s *Stream) Record(m *model.Model, v model.Record) {
	s.buf = m.Append(s.buf, v)
	s.n++
	s.maybeFlush()
}

// Count is the number of records written.
func (s *Stream) Count() int { return s.n }

func (s *Stream) maybeFlush() {
	if len(s.buf) >= flushBytes {
		s.Flush()
	}
}

// Flush sends what is buffered.
func (s *Stream) Flush() {
	if len(s.buf) == 0 {
		return
	}
	_, _ = s.w.Write(s.buf)
	s.buf = s.buf[:0]
	if f, ok := s.w.(http.Flusher); ok {
		f.Flush()
	}
}
