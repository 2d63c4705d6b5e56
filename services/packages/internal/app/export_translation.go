package app

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"altrepo/libs/api"
	"altrepo/libs/apierr"
	"altrepo/libs/chdb"
)

// /export/translation/packages_po_files: gettext POT files of package
// summaries and descriptions, one per first letter of the source name.

const sqlPoSrcName = `arrayStringConcat(arrayPopBack(arrayPopBack(splitByChar('-', pkg_sourcerpm))), '-')`

// Packages of the last state of the branches.
const sqlPoLast = `
SELECT DISTINCT pkg_name AS name, toString(pkg_url) AS url, pkg_summary AS summary, pkg_description AS description,
    ` + sqlPoSrcName + ` AS src_pkg_name
FROM Packages
WHERE pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name IN ?)
    AND pkg_name NOT LIKE '%-debuginfo' AND pkg_name NOT LIKE 'i586-%'
ORDER BY name`

// Packages of every snapshot of the branches since a date: the srpm
// component and every depth-2 component except debuginfo.
const sqlPoSince = `
SELECT DISTINCT pkg_name AS name, toString(pkg_url) AS url, pkg_summary AS summary, pkg_description AS description,
    ` + sqlPoSrcName + ` AS src_pkg_name
FROM Packages
WHERE pkg_hash IN (
    SELECT pkg_hash FROM PackageSet
    WHERE pkgset_uuid IN (
        SELECT pkgset_uuid FROM PackageSetName
        WHERE pkgset_ruuid IN (
            SELECT pkgset_uuid FROM PackageSetName
            WHERE pkgset_depth = 0 AND pkgset_nodename IN ? AND pkgset_date >= toDateTime(?)
        )
        AND ((pkgset_depth = 1 AND pkgset_nodename = 'srpm') OR (pkgset_depth = 2 AND pkgset_nodename != 'debuginfo'))
    )
)
ORDER BY name`

// exportPoRow is one package text row.
type exportPoRow struct {
	Name        string `ch:"name"`
	URL         string `ch:"url"`
	Summary     string `ch:"summary"`
	Description string `ch:"description"`
	Src         string `ch:"src_pkg_name"`
}

const potHeader = `# SOME DESCRIPTIVE TITLE
# Copyright (C) YEAR Free Software Foundation, Inc.
# This file is distributed under the same license as the PACKAGE package.
# FIRST AUTHOR <EMAIL@ADDRESS>, YEAR.
# 
#, fuzzy
msgid ""
msgstr ""
"Project-Id-Version: PACKAGE VERSION\n"
"POT-Creation-Date: %DATE%+0300\n"
"PO-Revision-Date: YEAR-MO-DA HO:MI+ZONE\n"
"Last-Translator: FULL NAME <EMAIL@ADDRESS>\n"
"Language-Team: LANGUAGE <LL@li.org>\n"
"MIME-Version: 1.0\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Content-Transfer-Encoding: 8bit\n"

`

// exportPoEscape escapes a piece of text inside a quoted PO string.
func exportPoEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)
}

// exportPoMsgid renders the msgid line(s) of a text.
func exportPoMsgid(text string) string {
	text = strings.ReplaceAll(text, "%", "%%")
	if !strings.Contains(text, "\n") {
		return `msgid "` + exportPoEscape(text) + `"` + "\n"
	}
	var b strings.Builder
	b.WriteString("msgid \"\"\n")
	pieces := strings.Split(text, "\n")
	for i, p := range pieces {
		b.WriteString(`"` + exportPoEscape(p))
		if i < len(pieces)-1 {
			b.WriteString(`\n`)
		}
		b.WriteString("\"\n")
	}
	return b.String()
}

// exportPoBlock renders one entry.
func exportPoBlock(name, url, kind, text string) string {
	home := "#. homepage:"
	if url != "" {
		home += " " + url
	}
	return "#: " + name + "\n" + home + "\n#. " + kind + "\n" + exportPoMsgid(text) + "msgstr \"\"\n\n"
}

// exportPotFile renders the POT file of one bucket.
func exportPotFile(rows []exportPoRow, now time.Time) string {
	var b strings.Builder
	b.WriteString(strings.Replace(potHeader, "%DATE%", now.Format("2006-01-02 15:04"), 1))
	seen := map[string]bool{}
	for _, r := range rows {
		if !seen[r.Summary] {
			seen[r.Summary] = true
			b.WriteString(exportPoBlock(r.Name, r.URL, "summary", r.Summary))
		}
		if !seen[r.Description] {
			seen[r.Description] = true
			b.WriteString(exportPoBlock(r.Name, r.URL, "description", r.Description))
		}
	}
	return b.String()
}

// exportPoBuckets sorts rows by source name (stable) and groups them by the
// lower-cased first character of the source name, in first-appearance order.
func exportPoBuckets(rows []exportPoRow) (keys []string, buckets map[string][]exportPoRow) {
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Src < rows[j].Src })
	buckets = map[string][]exportPoRow{}
	for _, r := range rows {
		k := ""
		if c, size := utf8.DecodeRuneInString(r.Src); size > 0 {
			k = strings.ToLower(string(c))
		}
		if _, ok := buckets[k]; !ok {
			keys = append(keys, k)
		}
		buckets[k] = append(buckets[k], r)
	}
	return keys, buckets
}

// exportPotArchive builds the ZIP archive.
func exportPotArchive(rows []exportPoRow, now time.Time) ([]byte, error) {
	keys, buckets := exportPoBuckets(rows)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, 5) })
	for _, k := range keys {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: "packages_" + k + ".pot", Method: zip.Deflate, Modified: now})
		if err != nil {
			return nil, err
		}
		if _, err := io.WriteString(f, exportPotFile(buckets[k], now)); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// translationPoFiles answers the ZIP of POT files.
func (a *App) translationPoFiles(ctx context.Context, r *api.Request) (*api.Response, error) {
	var rows []exportPoRow
	var err error
	branches := chdb.In(r.Strings("branches"))
	if r.Has("from_date") {
		err = a.db.Select(ctx, "translation_po_files", &rows, sqlPoSince, branches, r.String("from_date")+" 00:00:00")
	} else {
		err = a.db.Select(ctx, "translation_po_files", &rows, sqlPoLast, branches)
	}
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, apierr.NotFoundMsg("No data found in DB", r.Args)
	}
	data, err := exportPotArchive(rows, time.Now())
	if err != nil {
		return nil, err
	}
	return &api.Response{Text: data, Header: http.Header{
		"Content-Disposition": {"attachment; filename=packages_POT.zip"},
	}}, nil
}
