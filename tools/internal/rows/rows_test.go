package rows

import (
	"context"
	"testing"

	"altrepo/libs/testharness"
)

func TestMain(m *testing.M) { testharness.Main(m) }

func TestDigestSink(t *testing.T) {
	a, b := NewDigestSink(), NewDigestSink()
	for _, s := range []*DigestSink{a, b} {
		tb := s.Table("t", "x", "y")
		_ = tb.Append(uint64(1), "a")
		_ = tb.Append(uint64(2), []string{"b"})
	}
	if a.Digests()["t(x,y)"] != b.Digests()["t(x,y)"] || a.Counts()["t"] != 2 {
		t.Fatalf("digests %v %v counts %v", a.Digests(), b.Digests(), a.Counts())
	}
	_ = b.Table("t", "x", "y").Append(uint64(3), "c")
	if a.Digests()["t(x,y)"] == b.Digests()["t(x,y)"] {
		t.Fatal("different rows, same digest")
	}
}

func TestClickHouseSink(t *testing.T) {
	ch := testharness.SharedClickHouse(t)
	db := ch.NewDatabase(t)
	conn := ch.Conn(t, db)
	ctx := context.Background()
	for _, q := range []string{
		"CREATE TABLE first (a UInt64) ENGINE = MergeTree ORDER BY a",
		"CREATE TABLE after (a UInt64, b String, m UInt64 MATERIALIZED a * 2) ENGINE = MergeTree ORDER BY a",
		"CREATE TABLE seen (a UInt64, n UInt64) ENGINE = MergeTree ORDER BY a",
		// n = rows of first at the time a batch of after is inserted
		"CREATE MATERIALIZED VIEW mv TO seen AS SELECT a, (SELECT count() FROM first) AS n FROM after",
	} {
		if err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	sink := NewClickHouseSink(ctx, conn, 7)
	if err := sink.LoadColumns(); err != nil {
		t.Fatal(err)
	}
	sink.SendBefore("first", "after")
	first := sink.Table("first", "a")
	after := sink.Table("after", "a", "b", "not_there")
	none := sink.Table("no_such_table", "x")
	for i := 0; i < 50; i++ {
		if err := first.Append(uint64(i)); err != nil {
			t.Fatal(err)
		}
		if err := after.Append(uint64(i), "row", "dropped"); err != nil {
			t.Fatal(err)
		}
		if err := none.Append(i); err != nil {
			t.Fatal(err)
		}
	}
	if err := sink.Flush(); err != nil {
		t.Fatal(err)
	}
	var n, bad uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM after WHERE b = 'row'").Scan(&n); err != nil || n != 50 {
		t.Fatalf("after rows = %d, %v", n, err)
	}
	if err := conn.QueryRow(ctx, "SELECT count() FROM seen WHERE n < a + 1").Scan(&bad); err != nil || bad != 0 {
		t.Fatalf("%d rows of after were inserted before their rows of first (%v)", bad, err)
	}
	miss := sink.Missing()
	if len(miss["after"]) != 1 || miss["after"][0] != "not_there" || miss["no_such_table"][0] != "*" {
		t.Fatalf("missing = %v", miss)
	}
	if c := sink.Counts(); c["first"] != 50 || c["after"] != 50 || c["no_such_table"] != 0 {
		t.Fatalf("counts = %v", c)
	}
}
