// Package chdb is the services' access to ClickHouse over the native
// protocol: a connection pool, a per-request timeout, the request ID as
// query_id, bounded retries while the server cannot be reached, an SQL debug
// log and a latency histogram per named query.
package chdb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"altrepo/libs/apierr"
	"altrepo/libs/config"
	"altrepo/libs/metrics"
	"altrepo/libs/reqid"
)

// Options configure a DB.
type Options struct {
	Addr     string // host:port of the native protocol
	Database string
	User     string
	Password string
	// Tries and TryWait bound the attempts to reach an unreachable server.
	Tries   int
	TryWait time.Duration
	// QueryTimeout bounds each query.
	QueryTimeout time.Duration
	MaxOpenConns int
	// Debug logs every statement with its arguments.
	Debug   bool
	Service string
	Log     *slog.Logger
	// Settings are sent with every query.
	Settings map[string]any
}

// OptionsFromConfig reads the [DATABASE] and [OTHER] sections.
func OptionsFromConfig(c *config.Config, service string, log *slog.Logger) (Options, error) {
	port, err := c.Int("DATABASE", "PORT")
	if err != nil {
		return Options{}, err
	}
	tries, err := c.Int("DATABASE", "TRY_CONNECTION_NUMBER")
	if err != nil {
		return Options{}, err
	}
	wait, err := c.Seconds("DATABASE", "TRY_TIMEOUT")
	if err != nil {
		return Options{}, err
	}
	qt, err := c.Seconds("DATABASE", "QUERY_TIMEOUT")
	if err != nil {
		return Options{}, err
	}
	conns, err := c.Int("DATABASE", "MAX_OPEN_CONNS")
	if err != nil {
		return Options{}, err
	}
	debug, err := c.Bool("OTHER", "SQL_DEBUG")
	if err != nil {
		return Options{}, err
	}
	return Options{
		Addr:     net.JoinHostPort(c.String("DATABASE", "HOST"), strconv.Itoa(port)),
		Database: c.String("DATABASE", "NAME"), User: c.String("DATABASE", "USER"), Password: c.String("DATABASE", "PASSWORD"),
		Tries: tries, TryWait: wait, QueryTimeout: qt, MaxOpenConns: conns, Debug: debug, Service: service, Log: log,
	}, nil
}

// DB is a pool of connections to one database.
type DB struct {
	conn driver.Conn
	opt  Options
	seq  atomic.Uint64
}

// Open creates the pool. It does not wait for the server: readiness and
// queries report an unreachable server.
func Open(opt Options) (*DB, error) {
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	if opt.Tries < 1 {
		opt.Tries = 1
	}
	if opt.MaxOpenConns <= 0 {
		opt.MaxOpenConns = 16
	}
	settings := clickhouse.Settings{}
	for k, v := range opt.Settings {
		settings[k] = v
	}
	if _, ok := settings["low_cardinality_allow_in_native_format"]; !ok {
		// LowCardinality columns travel as their plain type: the driver
		// cannot decode 18.16's encoding of Array(LowCardinality(String)),
		// and it costs little on current servers.
		settings["low_cardinality_allow_in_native_format"] = 0
	}
	conn, err := clickhouse.Open(&clickhouse.Options{
		Addr:            []string{opt.Addr},
		Auth:            clickhouse.Auth{Database: opt.Database, Username: opt.User, Password: opt.Password},
		DialTimeout:     5 * time.Second,
		MaxOpenConns:    opt.MaxOpenConns,
		MaxIdleConns:    opt.MaxOpenConns,
		ConnMaxLifetime: time.Hour,
		Settings:        settings,
	})
	if err != nil {
		return nil, fmt.Errorf("chdb: open %s: %w", opt.Addr, err)
	}
	return &DB{conn: conn, opt: opt}, nil
}

// Conn exposes the driver connection (batches, tools).
func (db *DB) Conn() driver.Conn { return db.conn }

// Close closes the pool.
func (db *DB) Close() error { return db.conn.Close() }

// Ping checks the server answers.
func (db *DB) Ping(ctx context.Context) error { return db.conn.Ping(ctx) }

// Error is a failed query; Unreachable tells a connection failure from an
// SQL error.
type Error struct {
	Query       string
	SQL         string
	Unreachable bool
	Err         error
}

func (e *Error) Error() string {
	kind := "query"
	if e.Unreachable {
		kind = "connection"
	}
	return fmt.Sprintf("clickhouse %s %s: %v", kind, e.Query, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

func unreachable(err error) bool {
	if err == nil {
		return false
	}
	var ne net.Error
	var oe *net.OpError
	return errors.As(err, &oe) || (errors.As(err, &ne) && ne.Timeout() && !errors.Is(err, context.DeadlineExceeded)) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) ||
		errors.Is(err, clickhouse.ErrAcquireConnTimeout)
}

// prepare derives the query context: timeout, query_id, settings.
func (db *DB) prepare(ctx context.Context, name string) (context.Context, context.CancelFunc, string) {
	id := reqid.From(ctx)
	if id == "" {
		id = "noreq"
	}
	qid := fmt.Sprintf("%s-%d", id, db.seq.Add(1))
	var cancel context.CancelFunc = func() {}
	if db.opt.QueryTimeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, db.opt.QueryTimeout)
	}
	return clickhouse.Context(ctx, clickhouse.WithQueryID(qid)), cancel, qid
}

// retry runs op, retrying while the server is unreachable.
func (db *DB) retry(ctx context.Context, name, sql string, op func() error) error {
	var err error
	for attempt := 1; ; attempt++ {
		err = op()
		if err == nil || !unreachable(err) || attempt >= db.opt.Tries || ctx.Err() != nil {
			break
		}
		db.opt.Log.WarnContext(ctx, "clickhouse unreachable, retrying", "query", name, "attempt", attempt, "err", err)
		select {
		case <-time.After(db.opt.TryWait):
		case <-ctx.Done():
		}
	}
	if err != nil {
		return &Error{Query: name, SQL: sql, Unreachable: unreachable(err), Err: err}
	}
	return nil
}

func (db *DB) observe(name string, start time.Time, err error) {
	status := "ok"
	if err != nil {
		status = "error"
	}
	metrics.QueryDuration.WithLabelValues(db.opt.Service, name, status).Observe(time.Since(start).Seconds())
}

func (db *DB) debug(ctx context.Context, name, qid, sql string, args []any) {
	if db.opt.Debug {
		db.opt.Log.DebugContext(ctx, "sql", "query", name, "query_id", qid, "sql", sql, "args", fmt.Sprint(args))
	}
}

// Rows is a result being read; Close it (it also records the latency).
type Rows struct {
	driver.Rows
	db     *DB
	name   string
	start  time.Time
	cancel context.CancelFunc
}

// Close ends the query.
func (r *Rows) Close() error {
	err := r.Rows.Close()
	if err == nil {
		err = r.Rows.Err()
	}
	r.cancel()
	r.db.observe(r.name, r.start, err)
	return err
}

// Err wraps the driver's read error with the query name.
func (r *Rows) Err() error {
	if err := r.Rows.Err(); err != nil {
		return &Error{Query: r.name, Unreachable: unreachable(err), Err: err}
	}
	return nil
}

// Query runs a named SELECT; args bind `?` placeholders (clickhouse-go
// binds them client-side, quoting values).
func (db *DB) Query(ctx context.Context, name, sql string, args ...any) (*Rows, error) {
	qctx, cancel, qid := db.prepare(ctx, name)
	db.debug(ctx, name, qid, sql, args)
	start := time.Now()
	var rows driver.Rows
	err := db.retry(qctx, name, sql, func() error {
		var e error
		rows, e = db.conn.Query(qctx, sql, args...)
		return e
	})
	if err != nil {
		cancel()
		db.observe(name, start, err)
		return nil, err
	}
	return &Rows{Rows: rows, db: db, name: name, start: start, cancel: cancel}, nil
}

// Select runs a named SELECT and scans every row into dest, a pointer to a
// slice of structs whose fields carry `ch:"column"` tags.
func (db *DB) Select(ctx context.Context, name string, dest any, sql string, args ...any) error {
	qctx, cancel, qid := db.prepare(ctx, name)
	defer cancel()
	db.debug(ctx, name, qid, sql, args)
	start := time.Now()
	err := db.retry(qctx, name, sql, func() error { return db.conn.Select(qctx, dest, sql, args...) })
	db.observe(name, start, err)
	return err
}

// Exec runs a named statement that returns no rows.
func (db *DB) Exec(ctx context.Context, name, sql string, args ...any) error {
	qctx, cancel, qid := db.prepare(ctx, name)
	defer cancel()
	db.debug(ctx, name, qid, sql, args)
	start := time.Now()
	err := db.retry(qctx, name, sql, func() error { return db.conn.Exec(qctx, sql, args...) })
	db.observe(name, start, err)
	return err
}

// Batch opens a named insert; sql must name the columns
// ("INSERT INTO t (a, b)").
func (db *DB) Batch(ctx context.Context, name, sql string) (driver.Batch, error) {
	qctx, _, qid := db.prepare(ctx, name)
	db.debug(ctx, name, qid, sql, nil)
	var b driver.Batch
	err := db.retry(qctx, name, sql, func() error {
		var e error
		b, e = db.conn.PrepareBatch(qctx, sql)
		return e
	})
	return b, err
}

// In binds a list for `x IN ?` (rendered as a tuple, which 18.16 needs).
func In[T any](vals []T) clickhouse.GroupSet {
	out := make([]any, len(vals))
	for i, v := range vals {
		out[i] = v
	}
	return clickhouse.GroupSet{Value: out}
}

// APIError maps query failures to the reference's answers: 500 "Database
// connection error." when the server could not be reached, 500 "Error in
// SQL query!" otherwise. Other errors are left to the caller (nil).
func APIError(err error) *apierr.Error {
	var e *Error
	if !errors.As(err, &e) {
		return nil
	}
	if e.Unreachable {
		return apierr.DBConnection(err)
	}
	return apierr.SQL(err)
}
