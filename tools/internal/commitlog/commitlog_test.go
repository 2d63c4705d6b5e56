package commitlog

import (
	"os"
	"strings"
	"testing"
)

const sample = "commit_time\tauthor_name\tauthor_email\tsubject\tfiles\n" +
	"1729801099\tIvan A. Melnikov\tiv@altlinux.org\t360618: altmediawriter-1.0.5-alt2.1\ta/altmediawriter/mediawriter.spec\n" +
	"1729786612\tDaniel Zagaynov\tkotopesutility@altlinux.org\t360603: kernel-modules-lkrg-un-def-0.9.9-alt1.394810.1 +5 more\tk/kernel-modules-lkrg-6.11/kernel-modules-lkrg.spec,l/lkrg/lkrg.spec\n" +
	"garbage line\n" +
	"1729700000\tA B\tab@altlinux.org\t360529: Delete python3-module-jsondatabase-0.0.3-alt2 +2 more\tp/python3-module-jsondatabase/jsondatabase.spec\n" +
	"1341330395\tDenis Smirnov\tmithraen@altlinux.ru\t74782: Import task with 13598 packages\t0/0ad-data/0ad-data.spec,0/0ad/0ad.spec\n"

func TestRead(t *testing.T) {
	cs, st, err := Read(strings.NewReader(sample), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 4 || st.Rows != 5 || st.Skipped["too few columns"] != 1 {
		t.Fatalf("commits %d stats %+v", len(cs), st)
	}
	c := cs[0]
	if c.TaskID != 360618 || c.Name != "altmediawriter" || c.Version != "1.0.5" || c.Release != "alt2.1" ||
		c.Nick != "iv" || c.Time.Unix() != 1729801099 || c.Import || c.Dirs()[0] != "altmediawriter" {
		t.Fatalf("commit 0 = %+v", c)
	}
	c = cs[1]
	if c.Name != "kernel-modules-lkrg-un-def" || c.Version != "0.9.9" || c.Release != "alt1.394810.1" || c.More != 5 || len(c.Files) != 2 {
		t.Fatalf("commit 1 = %+v", c)
	}
	if d := cs[2]; !d.Delete || d.Name != "python3-module-jsondatabase" || d.Version != "0.0.3" || d.More != 2 {
		t.Fatalf("delete = %+v", d)
	}
	if !cs[3].Import || cs[3].TaskID != ImportTaskID || cs[3].Name != "" || len(cs[3].Dirs()) != 2 {
		t.Fatalf("import = %+v", cs[3])
	}
	limited, _, err := Read(strings.NewReader(sample), 1)
	if err != nil || len(limited) != 2 || !limited[1].Import {
		t.Fatalf("limit 1: %d commits, %v", len(limited), err)
	}
}

func TestReadRealLog(t *testing.T) {
	path := "../../../../shared/data/sisyphus-commits.tsv.xz"
	if _, err := os.Stat(path); err != nil {
		t.Skip("real data not present")
	}
	cs, st, err := ReadFile(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 170841 {
		t.Errorf("commits = %d (skipped %v)", len(cs), st.Skipped)
	}
	named := 0
	for _, c := range cs {
		if c.Name != "" {
			named++
		}
	}
	if named != len(cs)-1 {
		t.Errorf("only %d of %d subjects name a package", named, len(cs))
	}
}
