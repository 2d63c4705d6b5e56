package build

import (
	"fmt"
	"sort"
	"strconv"
	"time"
)

type imageDef struct {
	edition string
	arch    string
	variant string
	flavor  string
}

var imageDefs = []imageDef{
	{"alt-workstation", "x86_64", "install", "xfce"},
	{"alt-workstation", "aarch64", "install", "xfce"},
	{"alt-server", "x86_64", "install", ""},
	{"alt-education", "x86_64", "live", "kde5"},
}

var imageVersion = map[string][3]uint32{"p10": {10, 2, 0}, "p11": {11, 0, 0}, "sisyphus": {20240101, 0, 0}}

// loadImages creates image package sets drawn from branch packages: a root
// (class iso) whose materialized view fills ImagePackageSetName, components
// with their package memberships, and ImageStatus/ImageTagStatus rows.
func (b *Builder) loadImages() error {
	branches := make([]string, 0, len(b.imageSamples))
	for br := range b.imageSamples {
		branches = append(branches, br)
	}
	sort.Strings(branches)
	psn := b.table(tPackageSetName, colsPackageSetName...)
	pset := b.table(tPackageSet, colsPackageSet...)
	var roots [][]any
	status := b.table(tImageStatus, colsImageStatus...)
	tagStatus := b.table(tImageTagStatus, colsImageTagStatus...)
	seenEdition := map[string]bool{}
	for _, br := range branches {
		bins := b.imageSamples[br]
		date := b.branchDates[br].Add(72 * time.Hour)
		ver := imageVersion[br]
		for _, d := range imageDefs {
			release := "release"
			if br == "sisyphus" {
				release = "beta"
			}
			verStr := fmt.Sprintf("%d.%d.%d", ver[0], ver[1], ver[2])
			tag := fmt.Sprintf("%s:%s:%s:%s:%s:%s:iso", br, d.edition, verStr, release, d.arch, d.variant)
			file := fmt.Sprintf("%s-%s-%s-%s.iso", d.edition, verStr, d.arch, d.variant)
			root := nodeUUID("image", tag, date.Format(time.RFC3339))
			for _, comp := range []string{"rpms", "live"} {
				if comp == "live" && d.variant != "live" {
					continue
				}
				cu := nodeUUID("image", tag, date.Format(time.RFC3339), comp)
				if err := psn.Append(cu, root, root, uint8(1), comp, date, tag, uint8(1), []string{}, []string{}); err != nil {
					return err
				}
				for i, bin := range bins {
					if bin.arch != d.arch && bin.arch != "noarch" {
						continue
					}
					if comp == "live" && i%2 == 1 {
						continue
					}
					if err := pset.Append(cu, bin.hash); err != nil {
						return err
					}
				}
			}
			kvk := []string{"class", "branch", "edition", "flavor", "platform", "release", "version_major", "version_minor", "version_sub", "arch", "variant", "image_type", "file"}
			kvv := []string{"iso", br, d.edition, d.flavor, "", release, strconv.Itoa(int(ver[0])), strconv.Itoa(int(ver[1])), strconv.Itoa(int(ver[2])), d.arch, d.variant, "iso", file}
			roots = append(roots, []any{root, root, root, uint8(0), file, date, tag, uint8(1), kvk, kvv})
			if err := tagStatus.Append(tag, "show"); err != nil {
				return err
			}
			key := br + "/" + d.edition
			if !seenEdition[key] {
				seenEdition[key] = true
				name := "ALT " + d.edition + " " + br
				if err := status.Append(br, d.edition, name, "show", b.branchDates[br], b.branchDates[br].AddDate(3, 0, 0),
					"Образ "+name, "Image "+name, "Описание образа "+name, "Description of "+name,
					"https://lists.altlinux.org/mailman/listinfo/community", "ALT "+d.edition, "{}"); err != nil {
					return err
				}
			}
		}
	}
	if len(roots) == 0 {
		return nil
	}
	if err := b.flush(tPackageSet, tPackageSetName); err != nil {
		return err
	}
	for _, r := range roots {
		if err := psn.Append(r...); err != nil {
			return err
		}
	}
	return b.flush(tPackageSetName)
}
