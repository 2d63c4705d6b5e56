package migrate

import "strings"

// SplitStatements splits SQL text into statements. A statement ends at a
// semicolon outside quotes and comments that is followed only by blanks or a
// comment up to the end of its line (or of the text). Comments ("-- …" to the
// end of the line and "/* … */") are removed; quoted strings ('…'),
// identifiers ("…", `…`) are kept verbatim. Empty statements are dropped.
func SplitStatements(sql string) []string {
	var (
		stmts []string
		cur   strings.Builder
	)
	flush := func() {
		s := strings.TrimSpace(cur.String())
		if s != "" {
			stmts = append(stmts, s)
		}
		cur.Reset()
	}
	n := len(sql)
	for i := 0; i < n; i++ {
		c := sql[i]
		switch {
		case c == '\'' || c == '"' || c == '`':
			j := skipQuoted(sql, i)
			cur.WriteString(sql[i:j])
			i = j - 1
		case c == '-' && i+1 < n && sql[i+1] == '-':
			for i < n && sql[i] != '\n' {
				i++
			}
			cur.WriteByte('\n')
		case c == '/' && i+1 < n && sql[i+1] == '*':
			end := strings.Index(sql[i+2:], "*/")
			if end < 0 {
				i = n
			} else {
				i = i + 2 + end + 1
			}
			cur.WriteByte(' ')
		case c == ';' && atLineEnd(sql, i+1):
			flush()
		default:
			cur.WriteByte(c)
		}
	}
	flush()
	return stmts
}

// skipQuoted returns the index just after the quoted token starting at i.
// Backslash escapes and doubled quote characters are honoured.
func skipQuoted(s string, i int) int {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case q:
			if j+1 < len(s) && s[j+1] == q {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(s)
}

// atLineEnd reports whether only blanks or a "--" comment follow position i
// up to the end of the line or text.
func atLineEnd(s string, i int) bool {
	for ; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\r':
		case '\n':
			return true
		case '-':
			return i+1 < len(s) && s[i+1] == '-'
		default:
			return false
		}
	}
	return true
}
