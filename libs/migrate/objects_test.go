package migrate

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/google/uuid"
)

func queryStrings(t *testing.T, conn driver.Conn, query string, args ...any) []string {
	t.Helper()
	rows, err := conn.Query(context.Background(), query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	cols := rows.ColumnTypes()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		for i, c := range cols {
			vals[i] = newOf(c.ScanType())
		}
		if err := rows.Scan(vals...); err != nil {
			t.Fatalf("scan %s: %v", query, err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = deref(v)
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func exec(t *testing.T, conn driver.Conn, query string, args ...any) {
	t.Helper()
	if err := conn.Exec(context.Background(), query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func TestFilesAndDepends(t *testing.T) {
	conn, _ := newSchemaDB(t)
	pkgs, src := corpus()
	insertPackages(t, conn, pkgs, src)
	loadSnapshot(t, conn, snapshot("sisyphus", d1, []uint64{1, 2}, []uint64{11, 12}))

	exec(t, conn, "INSERT INTO Files_insert (pkg_hash, file_name, file_class, file_size) SELECT 11, '/usr/bin/foo', 'file', 42")
	got := queryStrings(t, conn, "SELECT file_name, file_size, toString(file_class), file_hashdir = murmurHash3_64('/usr/bin') FROM Files_view WHERE pkg_hash = 11")
	if fmt.Sprint(got) != "[/usr/bin/foo|42|file|1]" {
		t.Fatalf("Files_view = %v", got)
	}
	got = queryStrings(t, conn, "SELECT fn_name, fn_hash = murmurHash3_64(fn_name) FROM FileNames")
	if fmt.Sprint(got) != "[/usr/bin/foo|1 /usr/bin|1]" {
		t.Fatalf("FileNames = %v", got)
	}

	exec(t, conn, "INSERT INTO Depends (pkg_hash, dp_name, dp_version, dp_flag, dp_type) SELECT 11, 'libbar.so.1', '', 0, 'require'")
	exec(t, conn, "INSERT INTO Depends (pkg_hash, dp_name, dp_version, dp_flag, dp_type) SELECT 13, 'libbaz.so.1', '', 0, 'require'")
	got = queryStrings(t, conn, "SELECT pkg_hash, dp_name, toString(dp_type), pkg_name, pkgset_name, pkg_arch, pkg_sourcerpm FROM last_depends")
	if fmt.Sprint(got) != "[11|libbar.so.1|require|foo|sisyphus|x86_64|foo-1.0-alt1.src.rpm]" {
		t.Fatalf("last_depends = %v", got)
	}
}

func TestImages(t *testing.T) {
	conn, _ := newSchemaDB(t)
	pkgs, src := corpus()
	insertPackages(t, conn, pkgs, src)
	root, part := uuid.New(), uuid.New()
	date := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	nodes := []node{
		{uuid: root, ruuid: root, depth: 0, name: "alt-workstation-10.1-x86_64", date: date, kv: map[string]string{
			"class": "iso", "branch": "p10", "edition": "alt-workstation", "version_major": "10", "version_minor": "1", "arch": "x86_64", "file": "alt-workstation.iso", "type": "iso"}},
		{uuid: part, puuid: root, ruuid: root, depth: 1, name: "live", date: date, members: []uint64{11, 12, 1}},
	}
	loadSnapshot(t, conn, nodes)

	got := queryStrings(t, conn, "SELECT img_branch, img_edition, img_version_major, img_version_minor, img_arch, img_kv.v[indexOf(img_kv.k, 'file')], length(img_kv.k) FROM ImagePackageSetName")
	if fmt.Sprint(got) != "[p10|alt-workstation|10|1|x86_64|alt-workstation.iso|2]" {
		t.Fatalf("ImagePackageSetName = %v", got)
	}
	got = queryStrings(t, conn, "SELECT pkgset_uuid = toUUID(?), img_branch, img_file, pkg_hash, pkg_name FROM lv_all_image_packages", root)
	if fmt.Sprint(got) != "[1|p10|alt-workstation.iso|11|foo 1|p10|alt-workstation.iso|12|bar]" {
		t.Fatalf("lv_all_image_packages = %v", got)
	}
	got = queryStrings(t, conn, "SELECT DISTINCT img_branch FROM lv_image_packageset")
	if fmt.Sprint(got) != "[p10]" {
		t.Fatalf("lv_image_packageset = %v", got)
	}
	// Images are not branches.
	got = queryStrings(t, conn, "SELECT count() FROM static_last_packages")
	if fmt.Sprint(got) != "[0]" {
		t.Fatalf("static_last_packages has image rows: %v", got)
	}
}

func TestAcl(t *testing.T) {
	conn, _ := newSchemaDB(t)
	ctx := context.Background()
	b, err := conn.PrepareBatch(ctx, "INSERT INTO Acl (acl_date, acl_for, acl_branch, acl_list)")
	if err != nil {
		t.Fatal(err)
	}
	old := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	now := time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)
	for _, r := range []struct {
		date time.Time
		pkg  string
		list []string
	}{
		{old, "foo", []string{"olduser"}},
		{now, "foo", []string{"@python", "ivan"}},
		{now, "@python", []string{"petr", "anna"}},
	} {
		if err := b.Append(r.date, r.pkg, "sisyphus", r.list); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
	got := queryStrings(t, conn, "SELECT acl_for, acl_list FROM last_acl WHERE acl_branch = 'sisyphus'")
	if fmt.Sprint(got) != "[@python|[petr anna] foo|[@python ivan]]" {
		t.Fatalf("last_acl = %v", got)
	}
	got = queryStrings(t, conn, "SELECT acl_for, argMax(acl_list, acl_date_last) FROM last_acl_stage1 GROUP BY acl_for")
	if fmt.Sprint(got) != "[@python|[petr anna] foo|[@python ivan]]" {
		t.Fatalf("last_acl_stage1 = %v", got)
	}
	got = queryStrings(t, conn, "SELECT acl_user, order_u, order_g FROM last_acl_with_groups WHERE pkgname = 'foo'")
	if fmt.Sprint(got) != "[anna|1|2 ivan|2|0 petr|1|1]" {
		t.Fatalf("last_acl_with_groups = %v", got)
	}
}

func TestTasksAndHistoryViews(t *testing.T) {
	conn, _ := newSchemaDB(t)
	pkgs, src := corpus()
	insertPackages(t, conn, pkgs, src)
	loadSnapshot(t, conn, snapshot("sisyphus", d2, []uint64{3}, []uint64{13}))

	exec(t, conn, "INSERT INTO TaskStates (task_changed, task_id, task_state, task_try) SELECT toDateTime('2024-10-01 10:00:00'), 100, 'DONE', 2")
	exec(t, conn, "INSERT INTO TaskStates (task_changed, task_id, task_state, task_try) SELECT toDateTime('2024-10-01 10:00:00'), 200, 'FAILED', 1")
	exec(t, conn, "INSERT INTO TaskIterations (task_id, task_changed, subtask_id, subtask_arch, task_try, task_iter) SELECT 100, toDateTime('2024-09-30 10:00:00'), 1, 'x86_64', 1, 1")
	exec(t, conn, "INSERT INTO TaskIterations (task_id, task_changed, subtask_id, subtask_arch, task_try, task_iter) SELECT 100, toDateTime('2024-10-01 10:00:00'), 1, 'x86_64', 2, 3")
	exec(t, conn, "INSERT INTO TaskIterations (task_id, task_changed, subtask_id, subtask_arch, task_try, task_iter) SELECT 200, toDateTime('2024-10-01 10:00:00'), 1, 'x86_64', 1, 1")
	got := queryStrings(t, conn, "SELECT task_id, tplan_arch, tplan_hash = murmurHash3_64(concat('10023', tplan_arch)) FROM task_plan_hashes")
	if fmt.Sprint(got) != "[100|noarch|1 100|src|1 100|x86_64-i586|1 100|x86_64|1]" {
		t.Fatalf("task_plan_hashes = %v", got)
	}

	// bar (2) was deleted by task 100 and is not in the branch; foo (3) was
	// deleted earlier but is back.
	for _, r := range []string{
		"SELECT 'sisyphus', 90, toDateTime('2024-09-01 00:00:00'), 'delete', 1, 'foo', 1",
		"SELECT 'sisyphus', 100, toDateTime('2024-10-01 10:00:00'), 'delete', 2, 'bar', 1",
		"SELECT 'sisyphus', 100, toDateTime('2024-10-01 10:00:00'), 'delete', 12, 'bar', 0",
	} {
		exec(t, conn, "INSERT INTO BranchPackageHistory (pkgset_name, task_id, task_changed, tplan_action, pkg_hash, pkg_name, pkg_sourcepackage) "+r)
	}
	got = queryStrings(t, conn, "SELECT pkgset_name, pkg_name, task, hash FROM lv_branch_deleted_packages")
	if fmt.Sprint(got) != "[sisyphus|bar|100|2]" {
		t.Fatalf("lv_branch_deleted_packages = %v", got)
	}
}

func TestErrata(t *testing.T) {
	conn, _ := newSchemaDB(t)
	exec(t, conn, "INSERT INTO ErrataHistory (errata_id, eh_type, `eh_references.type`, `eh_references.link`) SELECT 'ALT-PU-2024-1234-3', 'task', ['bug', 'vuln'], ['42', 'CVE-2024-1']")
	got := queryStrings(t, conn, "SELECT errata_id_noversion, errata_id_version, eh_references.link[2] FROM ErrataHistory")
	if fmt.Sprint(got) != "[ALT-PU-2024-1234|3|CVE-2024-1]" {
		t.Fatalf("ErrataHistory computed columns = %v", got)
	}
	exec(t, conn, "INSERT INTO ErrataChangeHistory (ec_id, ec_type, errata_id, ts) SELECT 'ALT-EC-2024-1-1', 'create', 'ALT-PU-2024-1-1', toDateTime('2024-01-01 00:00:00')")
	exec(t, conn, "INSERT INTO ErrataChangeHistory (ec_id, ec_type, errata_id, ts) SELECT 'ALT-EC-2024-2-1', 'discard', 'ALT-PU-2024-1-1', toDateTime('2024-01-02 00:00:00')")
	exec(t, conn, "INSERT INTO ErrataChangeHistory (ec_id, ec_type, errata_id, ts) SELECT 'ALT-EC-2024-3-1', 'create', 'ALT-PU-2024-2-1', toDateTime('2024-01-02 00:00:00')")
	got = queryStrings(t, conn, "SELECT errata_id FROM last_discarded_erratas")
	if fmt.Sprint(got) != "[ALT-PU-2024-1-1]" {
		t.Fatalf("last_discarded_erratas = %v", got)
	}
}

// TestEveryDocumentedObjectExists lists the objects of schema.md that the
// API names and checks they exist after the migration.
func TestEveryDocumentedObjectExists(t *testing.T) {
	conn, db := newSchemaDB(t)
	objects := []string{
		"Packages", "PackageSetName", "PackageSet", "PackageHash", "PackageHash_view", "Changelog", "PackageChangelog_view",
		"SrcPackagesLastChangelog", "StaticLastPackages", "static_last_packages", "last_packages", "lv_pkgset_stat",
		"all_packages_with_source", "last_pkgnames_without_pname", "last_pkgnames", "last_pkgset", "last_packages_with_source",
		"PackagesSourceAndBinaries", "RepositoryStatus", "Specfiles", "lv_repository_statistics", "lv_branch_deleted_packages",
		"Files", "FileNames", "Files_view", "FileSearch", "Depends", "last_depends",
		"Tasks", "TaskStates", "TaskIterations", "TaskApprovals", "TaskPlanPkgHash", "task_plan_hashes", "TaskChroots", "TaskLogs",
		"BranchPackageHistory", "TaskProgress", "TaskSubtaskProgress", "GlobalSearch",
		"Bugzilla", "ErrataHistory", "ErrataChangeHistory", "last_discarded_erratas", "Vulnerabilities", "VulnerabilityStatus",
		"CpeMatch", "PackagesCveMatch", "PackagesVulnerabilityStatus", "PackagesNameConversion", "PncChangeHistory",
		"ImagePackageSetName", "ImageStatus", "ImageTagStatus", "lv_all_image_packages", "lv_image_packageset",
		"Acl", "last_acl", "last_acl_stage1", "last_acl_with_groups", "PackagesRepocop", "BeehiveStatus", "PackagesWatch", "AntivirusScanStatus",
		"SPDXLicenses", "LicenseAliases",
		"Comments", "CommentsChangeHistory", "DefaultReasons", "ErrataUsers", "ErrataUsersAliases", "ErrataUsersSubscriptions",
	}
	have := map[string]bool{}
	for _, name := range queryStrings(t, conn, "SELECT name FROM system.tables WHERE database = ?", db) {
		have[name] = true
	}
	for _, o := range objects {
		if !have[o] {
			t.Errorf("object %s missing", o)
		}
		// Every view and table must be readable.
		if err := conn.Exec(context.Background(), "SELECT * FROM "+o+" LIMIT 1"); err != nil {
			t.Errorf("SELECT * FROM %s: %v", o, err)
		}
	}
}
