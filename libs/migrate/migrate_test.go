package migrate

import (
	"context"
	"io/fs"
	"os"
	"testing"

	"altrepo/libs/testharness"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

func TestMain(m *testing.M) { testharness.Main(m) }

// schemaFS is the real schema directory of the repository.
func schemaFS() fs.FS { return os.DirFS("../../deploy/schema") }

// newSchemaDB creates a fresh database with the whole schema applied.
func newSchemaDB(t *testing.T) (driver.Conn, string) {
	t.Helper()
	ch := testharness.SharedClickHouse(t)
	db := ch.NewDatabase(t)
	conn := ch.Conn(t, db)
	n, err := Apply(context.Background(), conn, db, schemaFS(), nil)
	if err != nil {
		t.Fatalf("apply schema: %v", err)
	}
	if n == 0 {
		t.Fatal("apply schema: no file applied")
	}
	return conn, db
}

func TestApplySchema(t *testing.T) {
	newSchemaDB(t)
}
