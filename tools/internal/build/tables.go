package build

// Table names and the columns the tool inserts (ts columns are never named:
// they are MATERIALIZED in the DDL).
const (
	tPackages         = "Packages"
	tPackageSetName   = "PackageSetName"
	tPackageSet       = "PackageSet"
	tPackageHash      = "PackageHash"
	tChangelog        = "Changelog"
	tSpecfiles        = "Specfiles"
	tDepends          = "Depends"
	tFiles            = "Files"
	tFileNames        = "FileNames"
	tRepositoryStatus = "RepositoryStatus"
	tTasks            = "Tasks"
	tTaskStates       = "TaskStates"
	tTaskIterations   = "TaskIterations"
	tTaskApprovals    = "TaskApprovals"
	tTaskPlanPkgHash  = "TaskPlanPkgHash"
	tBranchPkgHistory = "BranchPackageHistory"
	tAcl              = "Acl"
	tBugzilla         = "Bugzilla"
	tVulnerabilities  = "Vulnerabilities"
	tErrataHistory    = "ErrataHistory"
	tImageStatus      = "ImageStatus"
	tImageTagStatus   = "ImageTagStatus"
	tRepocop          = "PackagesRepocop"
	tBeehive          = "BeehiveStatus"
	tWatch            = "PackagesWatch"
	tSPDX             = "SPDXLicenses"
	tLicenseAliases   = "LicenseAliases"
	tAntivirus        = "AntivirusScanStatus"
	tFileSearch       = "FileSearch"
	tGlobalSearch     = "GlobalSearch"
)

// packageTables are flushed before a branch root node is inserted.
var packageTables = []string{tChangelog, tPackages, tPackageSet, tPackageHash, tSpecfiles, tDepends, tFileNames, tFiles}

var colsPackages = []string{
	"pkg_hash", "pkg_cs", "pkg_packager", "pkg_packager_email", "pkg_name", "pkg_arch",
	"pkg_version", "pkg_release", "pkg_epoch", "pkg_buildtime", "pkg_buildhost",
	"pkg_size", "pkg_archivesize", "pkg_filesize", "pkg_rpmversion", "pkg_cookie",
	"pkg_sourcepackage", "pkg_disttag", "pkg_sourcerpm", "pkg_srcrpm_hash", "pkg_filename",
	"pkg_complete", "pkg_summary", "pkg_description",
	"pkg_changelog.date", "pkg_changelog.name", "pkg_changelog.evr", "pkg_changelog.hash",
	"pkg_distribution", "pkg_vendor", "pkg_license", "pkg_group_", "pkg_url", "pkg_os",
	"pkg_prein", "pkg_postin", "pkg_preun", "pkg_postun", "pkg_buildarchs", "pkg_optflags",
	"pkg_payloadformat", "pkg_payloadcompressor", "pkg_payloadflags", "pkg_platform", "pkg_vcs",
}

var colsPackageSetName = []string{
	"pkgset_uuid", "pkgset_puuid", "pkgset_ruuid", "pkgset_depth", "pkgset_nodename",
	"pkgset_date", "pkgset_tag", "pkgset_complete", "pkgset_kv.k", "pkgset_kv.v",
}

var colsPackageSet = []string{"pkgset_uuid", "pkg_hash"}

var colsPackageHash = []string{"pkgh_mmh", "pkgh_md5", "pkgh_sha1", "pkgh_sha256", "pkgh_blake2b"}

var colsChangelog = []string{"chlog_hash", "chlog_text"}

var colsSpecfiles = []string{
	"pkg_hash", "pkg_name", "pkg_epoch", "pkg_version", "pkg_release",
	"specfile_name", "specfile_date", "specfile_content",
}

var colsDepends = []string{"pkg_hash", "dp_name", "dp_version", "dp_flag", "dp_type"}

var colsFiles = []string{
	"pkg_hash", "file_hashname", "file_hashdir", "file_linkto", "file_md5", "file_size",
	"file_mode", "file_rdev", "file_mtime", "file_flag", "file_username", "file_groupname",
	"file_verifyflag", "file_device", "file_lang", "file_class",
}

var colsFileNames = []string{"fn_name"}

var colsRepositoryStatus = []string{
	"pkgset_name", "rs_start_date", "rs_end_date", "rs_show", "rs_description_ru",
	"rs_description_en", "rs_mirrors_json", "rs_mailing_list", "rs_pkgset_name_bugzilla",
}

var colsTasks = []string{
	"task_id", "subtask_id", "task_repo", "task_owner", "task_changed", "subtask_changed",
	"subtask_deleted", "subtask_userid", "subtask_dir", "subtask_package", "subtask_type",
	"subtask_pkg_from", "subtask_sid", "subtask_tag_author", "subtask_tag_id",
	"subtask_tag_name", "subtask_srpm", "subtask_srpm_name", "subtask_srpm_evr",
}

var colsTaskStates = []string{
	"task_changed", "task_id", "task_state", "task_runby", "task_depends", "task_try",
	"task_testonly", "task_failearly", "task_shared", "task_message", "task_version",
	"task_prev", "task_eventlog_hash",
}

var colsTaskIterations = []string{
	"task_id", "task_changed", "subtask_id", "subtask_arch", "titer_ts", "titer_status",
	"task_try", "task_iter", "titer_srcrpm_hash", "titer_pkgs_hash", "titer_chroot_base",
	"titer_chroot_br", "titer_buildlog_hash", "titer_srpmlog_hash",
}

var colsTaskApprovals = []string{
	"task_id", "subtask_id", "tapp_type", "tapp_revoked", "tapp_date", "tapp_name", "tapp_message",
}

var colsTaskPlanPkgHash = []string{"tplan_hash", "tplan_action", "tplan_sha256"}

var colsBranchPkgHistory = []string{
	"pkgset_name", "task_id", "task_changed", "task_message", "tplan_action", "pkg_hash",
	"pkg_name", "pkg_epoch", "pkg_version", "pkg_release", "pkg_arch", "pkg_sourcepackage",
	"chlog_date", "chlog_name", "chlog_nick", "chlog_evr", "chlog_text",
}

var colsAcl = []string{"acl_date", "acl_for", "acl_branch", "acl_list"}

var colsBugzilla = []string{
	"bz_id", "bz_status", "bz_resolution", "bz_severity", "bz_priority", "bz_product",
	"bz_version", "bz_platform", "bz_component", "bz_assignee", "bz_reporter", "bz_summary",
	"bz_last_changed", "bz_assignee_full", "bz_reporter_full",
}

var colsVulnerabilities = []string{
	"vuln_id", "vuln_hash", "vuln_type", "vuln_summary", "vuln_score", "vuln_severity",
	"vuln_url", "vuln_modified_date", "vuln_published_date", "vuln_json",
	"vuln_references.type", "vuln_references.link", "vuln_rejected",
}

var colsErrataHistory = []string{
	"errata_id", "eh_created", "eh_updated", "eh_hash", "eh_type", "eh_source",
	"eh_references.type", "eh_references.link", "pkg_hash", "pkg_name", "pkg_version",
	"pkg_release", "pkgset_name", "task_id", "subtask_id", "task_state", "eh_json",
}

var colsImageStatus = []string{
	"img_branch", "img_edition", "img_name", "img_show", "img_start_date", "img_end_date",
	"img_summary_ru", "img_summary_en", "img_description_ru", "img_description_en",
	"img_mailing_list", "img_name_bugzilla", "img_json",
}

var colsImageTagStatus = []string{"img_tag", "img_show"}

var colsRepocop = []string{
	"pkg_name", "pkg_version", "pkg_release", "pkg_arch", "pkgset_name", "rc_srcpkg_name",
	"rc_srcpkg_version", "rc_srcpkg_release", "rc_test_name", "rc_test_date",
	"rc_test_status", "rc_test_message",
}

var colsBeehive = []string{
	"pkg_hash", "pkg_name", "pkg_version", "pkg_release", "pkgset_name", "bh_arch",
	"bh_status", "bh_build_time", "bh_updated", "bh_ftbfs_since",
}

var colsWatch = []string{"acl", "pkg_name", "old_version", "new_version", "url", "date_update"}

var colsSPDX = []string{"spdx_id", "spdx_name", "spdx_text", "spdx_header", "spdx_urls", "spdx_type"}

var colsLicenseAliases = []string{"alias", "spdx_id"}

var colsAntivirus = []string{
	"av_scanner", "av_type", "av_issue", "av_message", "av_target", "file_name",
	"pkgset_name", "pkg_name", "pkg_version", "pkg_release", "pkg_arch", "av_date",
}

var colsFileSearch = []string{"search_string", "lead"}

// ts of GlobalSearch is an ordinary column (DEFAULT now()): it is the task's
// change time for the API, so it is written.
var colsGlobalSearch = []string{"lead", "search_string", "type", "ts"}
