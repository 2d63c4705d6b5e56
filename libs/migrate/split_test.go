package migrate

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"altrepo/libs/testharness"
)

func TestSplitStatements(t *testing.T) {
	sql := `-- header; comment
CREATE TABLE a (x String DEFAULT 'a;b') ENGINE = Memory; -- trailing
/* block; comment */
SELECT 'it''s; fine', "we;ird", ` + "`b;c`" + ` FROM a WHERE x = 'x\';y';
SELECT 1; SELECT 2;
SELECT 3
`
	got := SplitStatements(sql)
	want := []string{
		"CREATE TABLE a (x String DEFAULT 'a;b') ENGINE = Memory",
		"SELECT 'it''s; fine', \"we;ird\", `b;c` FROM a WHERE x = 'x\\';y'",
		"SELECT 1; SELECT 2",
		"SELECT 3",
	}
	if len(got) != len(want) {
		t.Fatalf("got %d statements %q, want %d", len(got), got, len(want))
	}
	for i := range want {
		if strings.TrimSpace(got[i]) != want[i] {
			t.Errorf("statement %d = %q, want %q", i, got[i], want[i])
		}
	}
	if n := len(SplitStatements("-- only a comment\n\n;\n")); n != 0 {
		t.Fatalf("comment-only text gave %d statements", n)
	}
}

func TestApplyRejectsWrongDatabase(t *testing.T) {
	ch := testharness.SharedClickHouse(t)
	db := ch.NewDatabase(t)
	conn := ch.Conn(t, "default")
	files := fstest.MapFS{"001_x.sql": {Data: []byte("CREATE TABLE IF NOT EXISTS x (a UInt8) ENGINE = Memory;\n")}}
	if _, err := Apply(context.Background(), conn, db, files, nil); err == nil || !strings.Contains(err.Error(), "selects database") {
		t.Fatalf("Apply on a connection to another database: err = %v", err)
	}
	if _, err := Apply(context.Background(), conn, "bad-name", files, nil); err == nil {
		t.Fatal("invalid database name accepted")
	}
}

func TestApplyOrderAndChangedFiles(t *testing.T) {
	ch := testharness.SharedClickHouse(t)
	db := ch.NewDatabase(t)
	conn := ch.Conn(t, db)
	ctx := context.Background()
	files := fstest.MapFS{
		"002_view.sql":  {Data: []byte("DROP TABLE IF EXISTS v;\nCREATE VIEW v AS SELECT a FROM t;\n")},
		"001_table.sql": {Data: []byte("CREATE TABLE IF NOT EXISTS t (a UInt8) ENGINE = MergeTree ORDER BY a;\n")},
		"README.md":     {Data: []byte("not sql")},
	}
	n, err := Apply(ctx, conn, db, files, nil)
	if err != nil || n != 2 {
		t.Fatalf("first apply: %d, %v", n, err)
	}
	exec(t, conn, "INSERT INTO t (a) SELECT 7")
	files["002_view.sql"] = &fstest.MapFile{Data: []byte("DROP TABLE IF EXISTS v;\nCREATE VIEW v AS SELECT a * 2 AS a FROM t;\n")}
	n, err = Apply(ctx, conn, db, files, nil)
	if err != nil || n != 1 {
		t.Fatalf("apply after change: %d, %v (want 1 file)", n, err)
	}
	var a uint16
	if err := conn.QueryRow(ctx, "SELECT a FROM v").Scan(&a); err != nil || a != 14 {
		t.Fatalf("changed view: %d, %v", a, err)
	}
	files["003_bad.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE broken (;\n")}
	if _, err := Apply(ctx, conn, db, files, nil); err == nil || !strings.Contains(err.Error(), "003_bad.sql") {
		t.Fatalf("bad file: err = %v", err)
	}
}
