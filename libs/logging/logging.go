// Package logging builds the suite's structured slog loggers: JSON by
// default, with the request ID of the context added to every record.
package logging

import (
	"context"
	"io"
	"log/slog"
	"strings"

	"altrepo/libs/reqid"
)

// New returns a logger writing to w. level is DEBUG, INFO, WARNING or ERROR
// (the reference's names; WARN is accepted too); format is json or text.
func New(w io.Writer, level, format, service string) *slog.Logger {
	opts := &slog.HandlerOptions{Level: ParseLevel(level)}
	var h slog.Handler
	if strings.EqualFold(format, "text") {
		h = slog.NewTextHandler(w, opts)
	} else {
		h = slog.NewJSONHandler(w, opts)
	}
	l := slog.New(requestIDHandler{h})
	if service != "" {
		l = l.With("service", service)
	}
	return l
}

// ParseLevel maps a level name to slog's level (INFO when unknown).
func ParseLevel(s string) slog.Level {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "DEBUG":
		return slog.LevelDebug
	case "WARNING", "WARN":
		return slog.LevelWarn
	case "ERROR", "CRITICAL":
		return slog.LevelError
	}
	return slog.LevelInfo
}

// requestIDHandler adds request_id from the record's context.
type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := reqid.From(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(a []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(a)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}
