package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"altrepo/libs/reqid"
)

func TestRequestIDReachesRecord(t *testing.T) {
	var buf bytes.Buffer
	l := New(&buf, "debug", "json", "packages")
	l.InfoContext(reqid.With(context.Background(), "rid-1"), "hello", "k", 1)
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("not JSON: %v: %s", err, buf.String())
	}
	if rec["request_id"] != "rid-1" || rec["service"] != "packages" || rec["msg"] != "hello" {
		t.Errorf("record = %v", rec)
	}
	buf.Reset()
	New(&buf, "ERROR", "json", "").Info("dropped")
	if buf.Len() != 0 {
		t.Errorf("info logged at ERROR level: %s", buf.String())
	}
}
