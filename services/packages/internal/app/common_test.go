package app

import "testing"

func TestBytes2Human(t *testing.T) {
	for in, want := range map[float64]string{
		0:                             "0.0 B",
		1023:                          "1023.0 B",
		1024:                          "1.0 KB",
		1536:                          "1.5 KB",
		12.3 * 1024 * 1024:            "12.3 MB",
		12897484:                      "12.3 MB",
		5 * (1 << 30):                 "5.0 GB",
		1 << 40:                       "1.0 TB",
		5 * 1024 * 1024 * 1024 * 1024: "5.0 TB",
		1 << 60:                       "1.0 EB",
		1 << 70:                       "1.0 ZB",
		1075:                          "1.0 KB", // 1.0498 -> 1.0
		1126:                          "1.1 KB", // 1.0996 -> 1.1
		-2048:                         "-2.0 KB",
	} {
		if got := bytes2Human(in); got != want {
			t.Errorf("bytes2Human(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestSourceIn(t *testing.T) {
	for in, want := range map[string]string{"source": "(1)", "binary": "(0)", "all": "(1, 0)", "": "(1, 0)"} {
		if got := sourceIn(in); got != want {
			t.Errorf("sourceIn(%q) = %q, want %q", in, got, want)
		}
	}
}
