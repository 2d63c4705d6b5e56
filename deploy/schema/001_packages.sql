-- Packages, package sets, changelogs and the "latest branch state" objects.
-- Portable to ClickHouse 18.16 and current versions (see README.md).

CREATE TABLE IF NOT EXISTS Packages
(
    pkg_hash                 UInt64,
    pkg_cs                   FixedString(20),
    pkg_packager             LowCardinality(String),
    pkg_packager_email       LowCardinality(String),
    pkg_name                 String,
    pkg_arch                 LowCardinality(String),
    pkg_version              String,
    pkg_release              String,
    pkg_epoch                UInt32,
    pkg_serial_              UInt32,
    pkg_buildtime            UInt32,
    pkg_buildhost            LowCardinality(String),
    pkg_size                 UInt64,
    pkg_archivesize          UInt64,
    pkg_filesize             UInt64,
    pkg_rpmversion           LowCardinality(String),
    pkg_cookie               String,
    pkg_sourcepackage        UInt8,
    pkg_disttag              String,
    pkg_sourcerpm            String,
    pkg_srcrpm_hash          UInt64,
    pkg_filename             String,
    pkg_complete             UInt8,
    pkg_summary              String,
    pkg_description          String,
    pkg_changelog            Nested(date DateTime, name String, evr String, hash UInt64),
    pkg_distribution         LowCardinality(String),
    pkg_vendor               LowCardinality(String),
    pkg_gif                  String,
    pkg_xpm                  String,
    pkg_license              LowCardinality(String),
    pkg_group_               String,
    pkg_url                  LowCardinality(String),
    pkg_os                   LowCardinality(String),
    pkg_prein                String,
    pkg_postin               String,
    pkg_preun                String,
    pkg_postun               String,
    pkg_icon                 String,
    pkg_preinprog            Array(String),
    pkg_postinprog           Array(String),
    pkg_preunprog            Array(String),
    pkg_postunprog           Array(String),
    pkg_buildarchs           Array(LowCardinality(String)),
    pkg_verifyscript         String,
    pkg_verifyscriptprog     Array(String),
    pkg_prefixes             Array(LowCardinality(String)),
    pkg_instprefixes         Array(String),
    pkg_optflags             LowCardinality(String),
    pkg_disturl              String,
    pkg_payloadformat        LowCardinality(String),
    pkg_payloadcompressor    LowCardinality(String),
    pkg_payloadflags         LowCardinality(String),
    pkg_platform             LowCardinality(String),
    pkg_vcs                  String,
    pkg_pretrans             String,
    pkg_posttrans            String
)
ENGINE = ReplacingMergeTree()
ORDER BY (pkg_name, pkg_arch, pkg_hash, pkg_srcrpm_hash, pkg_packager, pkg_packager_email)
PRIMARY KEY (pkg_name, pkg_arch)
SETTINGS index_granularity = 8192;

CREATE TABLE IF NOT EXISTS PackageSetName
(
    pkgset_uuid     UUID,
    pkgset_puuid    UUID,
    pkgset_ruuid    UUID,
    pkgset_depth    UInt8,
    pkgset_nodename String,
    pkgset_date     DateTime,
    pkgset_tag      String,
    pkgset_complete UInt8,
    pkgset_kv       Nested(k String, v String)
)
ENGINE = MergeTree()
ORDER BY (pkgset_date, pkgset_nodename, pkgset_ruuid, pkgset_depth)
PRIMARY KEY (pkgset_date, pkgset_nodename);

CREATE TABLE IF NOT EXISTS PackageSet
(
    pkgset_uuid UUID,
    pkg_hash    UInt64
)
ENGINE = ReplacingMergeTree()
ORDER BY (pkgset_uuid, pkg_hash)
PRIMARY KEY (pkgset_uuid);

CREATE TABLE IF NOT EXISTS PackageHash
(
    pkgh_mmh     UInt64,
    pkgh_md5     FixedString(16),
    pkgh_sha1    FixedString(20),
    pkgh_sha256  FixedString(32),
    pkgh_blake2b FixedString(64)
)
ENGINE = ReplacingMergeTree()
ORDER BY (pkgh_mmh, pkgh_md5, pkgh_sha256)
PRIMARY KEY pkgh_mmh;

DROP TABLE IF EXISTS PackageHash_view;
CREATE VIEW PackageHash_view AS
SELECT
    pkgh_mmh,
    lower(hex(pkgh_md5)) AS pkgh_md5,
    lower(hex(pkgh_sha1)) AS pkgh_sha1,
    lower(hex(pkgh_sha256)) AS pkgh_sha256,
    lower(hex(pkgh_blake2b)) AS pkgh_blake2b
FROM PackageHash;

CREATE TABLE IF NOT EXISTS Changelog
(
    chlog_hash UInt64,
    chlog_text String
)
ENGINE = ReplacingMergeTree()
ORDER BY (chlog_hash, chlog_text)
PRIMARY KEY chlog_hash;

-- Full changelog of a package, newest entry first.
DROP TABLE IF EXISTS PackageChangelog_view;
CREATE VIEW PackageChangelog_view AS
SELECT
    pkg_hash,
    arrayMap(e -> (e.2, e.3, e.4, e.5), arraySort(e -> e.1, groupArray((chlog_idx, toDate(chlog_date), chlog_name, chlog_evr, chlog_text)))) AS changelog
FROM
(
    SELECT pkg_hash, chlog_idx, chlog_date, chlog_name, chlog_evr, chlog_hash
    FROM Packages
    ARRAY JOIN
        arrayEnumerate(pkg_changelog.hash) AS chlog_idx,
        pkg_changelog.date AS chlog_date,
        pkg_changelog.name AS chlog_name,
        pkg_changelog.evr AS chlog_evr,
        pkg_changelog.hash AS chlog_hash
)
ANY LEFT JOIN
(
    SELECT chlog_hash, chlog_text FROM Changelog
) USING chlog_hash
GROUP BY pkg_hash;

-- Latest changelog entry of every source package; filled by
-- mv_src_packages_last_changelog on insert into Packages (Changelog rows of a
-- package must be inserted before the package).
CREATE TABLE IF NOT EXISTS SrcPackagesLastChangelog
(
    pkg_hash   UInt64,
    chlog_nick String,
    chlog_name String,
    chlog_date DateTime,
    chlog_evr  String,
    chlog_text String
)
ENGINE = ReplacingMergeTree()
ORDER BY pkg_hash;

DROP TABLE IF EXISTS mv_src_packages_last_changelog;
CREATE MATERIALIZED VIEW mv_src_packages_last_changelog TO SrcPackagesLastChangelog AS
SELECT
    pkg_hash,
    extract(replaceOne(extract(pkg_changelog.name[1], '<(.+)>'), ' at ', '@'), '(.*)@') AS chlog_nick,
    pkg_changelog.name[1] AS chlog_name,
    pkg_changelog.date[1] AS chlog_date,
    pkg_changelog.evr[1] AS chlog_evr,
    CL.chlog_text AS chlog_text
FROM Packages
ANY LEFT JOIN
(
    -- Packages in this subquery is the inserted block on current ClickHouse
    -- and the whole table on 18.16: both are correct filters.
    SELECT chlog_hash, chlog_text
    FROM Changelog
    WHERE chlog_hash IN (SELECT pkg_changelog.hash[1] FROM Packages WHERE pkg_sourcepackage = 1)
) AS CL ON CL.chlog_hash = pkg_changelog.hash[1]
WHERE pkg_sourcepackage = 1 AND notEmpty(pkg_changelog.hash);

-- Roots of repository snapshots, one row per root inserted into
-- PackageSetName (filled by mv_last_packages_stage1). The reference table
-- also has `ts DateTime64 MATERIALIZED now64()`; it is left out here because
-- 18.16 cannot fill a MATERIALIZED (or DEFAULT) column of an MV target that
-- the MV does not select, and selecting it would clash with the MATERIALIZED
-- column of an existing reference database. Nothing reads it.
CREATE TABLE IF NOT EXISTS last_packages_stage1
(
    pkgset_ruuid UUID,
    pkgset_name  String,
    pkgset_date  DateTime
)
ENGINE = MergeTree()
ORDER BY pkgset_ruuid;

-- Packages of every repository snapshot, filled by mv_last_packages_stage2
-- (the name is historical: it reads PackageSetName, not the stage-1 table).
CREATE TABLE IF NOT EXISTS StaticLastPackages
(
    pkgset_name       String,
    pkgset_date       DateTime,
    pkg_hash          UInt64,
    pkg_name          String,
    pkg_version       String,
    pkg_release       String,
    pkg_sourcepackage UInt8
)
ENGINE = MergeTree()
ORDER BY (pkgset_name, pkgset_date, pkg_name, pkg_sourcepackage)
PRIMARY KEY (pkgset_name, pkgset_date, pkg_name);

DROP TABLE IF EXISTS mv_last_packages_stage1;
CREATE MATERIALIZED VIEW mv_last_packages_stage1 TO last_packages_stage1 AS
SELECT
    pkgset_uuid AS pkgset_ruuid,
    pkgset_nodename AS pkgset_name,
    pkgset_date
FROM PackageSetName
WHERE pkgset_depth = 0 AND pkgset_kv.v[indexOf(pkgset_kv.k, 'class')] = 'repository';

-- A plain view over PackageSetName. Inside a materialized view whose source
-- is PackageSetName, this view always reads the real table, while a direct
-- reference to PackageSetName in a subquery means the inserted block on
-- current ClickHouse and the whole table on 18.16.
DROP TABLE IF EXISTS PackageSetName_view;
CREATE VIEW PackageSetName_view AS
SELECT
    pkgset_uuid,
    pkgset_puuid,
    pkgset_ruuid,
    pkgset_depth,
    pkgset_nodename,
    pkgset_date,
    pkgset_tag,
    pkgset_complete,
    pkgset_kv.k,
    pkgset_kv.v
FROM PackageSetName;

-- Copies the packages of a repository snapshot into StaticLastPackages when
-- its root node is inserted into PackageSetName (components and members must
-- already be there). ClickHouse 18.16 does not cascade materialized views
-- (an MV writing into a table does not fire that table's MVs), so this MV
-- reads PackageSetName directly. "Pending roots" = repository roots of the
-- inserted block (current ClickHouse) or of the whole table (18.16) whose
-- (name, date) is not in StaticLastPackages yet: the same set in both cases.
DROP TABLE IF EXISTS mv_last_packages_stage2;
CREATE MATERIALIZED VIEW mv_last_packages_stage2 TO StaticLastPackages AS
SELECT
    pkgset_nodename AS pkgset_name,
    pkgset_date,
    pkg_hash,
    pkg_name,
    pkg_version,
    pkg_release,
    pkg_sourcepackage
FROM PackageSetName
INNER JOIN
(
    SELECT DISTINCT
        pkgset_ruuid AS pkgset_uuid,
        pkg_hash,
        pkg_name,
        pkg_version,
        pkg_release,
        pkg_sourcepackage
    FROM
    (
        SELECT DISTINCT pkgset_ruuid, pkg_hash
        FROM PackageSet
        INNER JOIN
        (
            SELECT pkgset_uuid, pkgset_ruuid
            FROM PackageSetName_view
            WHERE pkgset_ruuid IN
            (
                SELECT pkgset_uuid
                FROM PackageSetName
                WHERE pkgset_depth = 0
                    AND pkgset_kv.v[indexOf(pkgset_kv.k, 'class')] = 'repository'
                    AND (pkgset_nodename, pkgset_date) NOT IN (SELECT DISTINCT pkgset_name, pkgset_date FROM StaticLastPackages)
            )
        ) AS Nodes USING pkgset_uuid
        WHERE pkgset_uuid IN
        (
            SELECT pkgset_uuid
            FROM PackageSetName_view
            WHERE pkgset_ruuid IN
            (
                SELECT pkgset_uuid
                FROM PackageSetName
                WHERE pkgset_depth = 0
                    AND pkgset_kv.v[indexOf(pkgset_kv.k, 'class')] = 'repository'
                    AND (pkgset_nodename, pkgset_date) NOT IN (SELECT DISTINCT pkgset_name, pkgset_date FROM StaticLastPackages)
            )
        )
    ) AS Members
    INNER JOIN
    (
        SELECT pkg_hash, pkg_name, pkg_version, pkg_release, pkg_sourcepackage
        FROM Packages
    ) AS Pkgs USING pkg_hash
) AS LP USING pkgset_uuid
WHERE pkgset_depth = 0 AND pkgset_kv.v[indexOf(pkgset_kv.k, 'class')] = 'repository';

-- Packages currently in each branch: the newest snapshot recorded for the
-- branch name.
DROP TABLE IF EXISTS static_last_packages;
CREATE VIEW static_last_packages AS
SELECT
    pkgset_name,
    pkgset_date,
    pkg_hash,
    pkg_name,
    pkg_version,
    pkg_release,
    pkg_sourcepackage
FROM StaticLastPackages
WHERE (pkgset_name, pkgset_date) IN
(
    SELECT pkgset_name, max(pkgset_date)
    FROM last_packages_stage1
    GROUP BY pkgset_name
);

-- Every Packages column (pkg_cs as lowercase hex) of the packages currently
-- in each branch, plus the branch name and snapshot date.
DROP TABLE IF EXISTS last_packages;
CREATE VIEW last_packages AS
SELECT
    pkg_hash,
    lower(hex(pkg_cs)) AS pkg_cs,
    pkg_packager,
    pkg_packager_email,
    pkg_name,
    pkg_arch,
    pkg_version,
    pkg_release,
    pkg_epoch,
    pkg_serial_,
    pkg_buildtime,
    pkg_buildhost,
    pkg_size,
    pkg_archivesize,
    pkg_filesize,
    pkg_rpmversion,
    pkg_cookie,
    pkg_sourcepackage,
    pkg_disttag,
    pkg_sourcerpm,
    pkg_srcrpm_hash,
    pkg_filename,
    pkg_complete,
    pkg_summary,
    pkg_description,
    pkg_changelog.date,
    pkg_changelog.name,
    pkg_changelog.evr,
    pkg_changelog.hash,
    pkg_distribution,
    pkg_vendor,
    pkg_gif,
    pkg_xpm,
    pkg_license,
    pkg_group_,
    pkg_url,
    pkg_os,
    pkg_prein,
    pkg_postin,
    pkg_preun,
    pkg_postun,
    pkg_icon,
    pkg_preinprog,
    pkg_postinprog,
    pkg_preunprog,
    pkg_postunprog,
    pkg_buildarchs,
    pkg_verifyscript,
    pkg_verifyscriptprog,
    pkg_prefixes,
    pkg_instprefixes,
    pkg_optflags,
    pkg_disturl,
    pkg_payloadformat,
    pkg_payloadcompressor,
    pkg_payloadflags,
    pkg_platform,
    pkg_vcs,
    pkg_pretrans,
    pkg_posttrans,
    pkgset_name,
    pkgset_date
FROM Packages
INNER JOIN
(
    SELECT pkg_hash, pkgset_name, pkgset_date
    FROM static_last_packages
) AS SLP USING pkg_hash
WHERE pkg_hash IN (SELECT pkg_hash FROM static_last_packages);

-- Per repository snapshot and architecture ('srpm' for sources,
-- x86_64-i586 excluded): number of distinct source packages (a binary
-- counts its pkg_sourcerpm, a source its own file name). Filled by
-- mv_static_pkgset_stat when the snapshot root is inserted, like
-- StaticLastPackages; lv_pkgset_stat reads the newest snapshot of each branch.
CREATE TABLE IF NOT EXISTS StaticPkgsetStat
(
    pkgset_name String,
    pkgset_date DateTime,
    pkg_arch    String,
    cnt         UInt64
)
ENGINE = MergeTree()
ORDER BY (pkgset_name, pkgset_date, pkg_arch);

DROP TABLE IF EXISTS mv_static_pkgset_stat;
CREATE MATERIALIZED VIEW mv_static_pkgset_stat TO StaticPkgsetStat AS
SELECT
    pkgset_nodename AS pkgset_name,
    pkgset_date,
    pkg_arch,
    cnt
FROM PackageSetName
INNER JOIN
(
    SELECT pkgset_uuid, pkg_arch, countDistinct(src_key) AS cnt
    FROM
    (
        SELECT
            pkgset_ruuid AS pkgset_uuid,
            if(pkg_sourcepackage = 1, 'srpm', arch) AS pkg_arch,
            if(pkg_sourcepackage = 1, pkg_filename, pkg_sourcerpm) AS src_key
        FROM
        (
            SELECT DISTINCT pkgset_ruuid, pkg_hash
            FROM PackageSet
            INNER JOIN
            (
                SELECT pkgset_uuid, pkgset_ruuid
                FROM PackageSetName_view
                WHERE pkgset_ruuid IN
                (
                    SELECT pkgset_uuid
                FROM PackageSetName
                WHERE pkgset_depth = 0
                    AND pkgset_kv.v[indexOf(pkgset_kv.k, 'class')] = 'repository'
                    AND (pkgset_nodename, pkgset_date) NOT IN (SELECT DISTINCT pkgset_name, pkgset_date FROM StaticPkgsetStat)
                )
            ) AS Nodes USING pkgset_uuid
            WHERE pkgset_uuid IN
            (
                SELECT pkgset_uuid
                FROM PackageSetName_view
                WHERE pkgset_ruuid IN
                (
                    SELECT pkgset_uuid
                FROM PackageSetName
                WHERE pkgset_depth = 0
                    AND pkgset_kv.v[indexOf(pkgset_kv.k, 'class')] = 'repository'
                    AND (pkgset_nodename, pkgset_date) NOT IN (SELECT DISTINCT pkgset_name, pkgset_date FROM StaticPkgsetStat)
                )
            )
        ) AS Members
        INNER JOIN
        (
            SELECT pkg_hash, pkg_sourcepackage, toString(pkg_arch) AS arch, pkg_sourcerpm, pkg_filename
            FROM Packages
        ) AS Pkgs USING pkg_hash
        WHERE arch != 'x86_64-i586'
    )
    GROUP BY pkgset_uuid, pkg_arch
) AS Stat USING pkgset_uuid
WHERE pkgset_depth = 0 AND pkgset_kv.v[indexOf(pkgset_kv.k, 'class')] = 'repository';

-- Backfill for databases whose snapshots were loaded before
-- StaticPkgsetStat existed (e.g. an existing ALTRepo database): newest
-- snapshots of StaticLastPackages not in StaticPkgsetStat yet. Idempotent.
INSERT INTO StaticPkgsetStat (pkgset_name, pkgset_date, pkg_arch, cnt)
SELECT pkgset_name, pkgset_date, pkg_arch, countDistinct(src_key) AS cnt
FROM
(
    SELECT
        pkgset_name,
        pkgset_date,
        if(P.pkg_sourcepackage = 1, 'srpm', P.arch) AS pkg_arch,
        if(P.pkg_sourcepackage = 1, P.pkg_filename, P.pkg_sourcerpm) AS src_key
    FROM static_last_packages
    INNER JOIN
    (
        SELECT pkg_hash, pkg_sourcepackage, toString(pkg_arch) AS arch, pkg_sourcerpm, pkg_filename
        FROM Packages
        WHERE pkg_hash IN (SELECT pkg_hash FROM static_last_packages)
    ) AS P USING pkg_hash
    WHERE P.arch != 'x86_64-i586'
        AND (pkgset_name, pkgset_date) NOT IN (SELECT DISTINCT pkgset_name, pkgset_date FROM StaticPkgsetStat)
)
GROUP BY pkgset_name, pkgset_date, pkg_arch;

-- Per branch (newest snapshot) and architecture: number of distinct source
-- packages (schema.md: a LIVE VIEW, not available on 18.16).
DROP TABLE IF EXISTS lv_pkgset_stat;
CREATE VIEW lv_pkgset_stat AS
SELECT
    pkgset_name,
    pkgset_date,
    pkg_arch,
    cnt
FROM StaticPkgsetStat
WHERE (pkgset_name, pkgset_date) IN
(
    SELECT pkgset_name, max(pkgset_date)
    FROM last_packages_stage1
    GROUP BY pkgset_name
);

-- Binary packages that have a source package, with the source name.
DROP TABLE IF EXISTS all_packages_with_source;
CREATE VIEW all_packages_with_source AS
SELECT
    pkg_hash,
    pkg_cs,
    pkg_packager,
    pkg_packager_email,
    pkg_name,
    pkg_arch,
    pkg_version,
    pkg_release,
    pkg_epoch,
    pkg_serial_,
    pkg_buildtime,
    pkg_buildhost,
    pkg_size,
    pkg_archivesize,
    pkg_filesize,
    pkg_rpmversion,
    pkg_cookie,
    pkg_sourcepackage,
    pkg_disttag,
    pkg_sourcerpm,
    pkg_srcrpm_hash,
    pkg_filename,
    pkg_complete,
    pkg_summary,
    pkg_description,
    pkg_changelog.date,
    pkg_changelog.name,
    pkg_changelog.evr,
    pkg_changelog.hash,
    pkg_distribution,
    pkg_vendor,
    pkg_gif,
    pkg_xpm,
    pkg_license,
    pkg_group_,
    pkg_url,
    pkg_os,
    pkg_prein,
    pkg_postin,
    pkg_preun,
    pkg_postun,
    pkg_icon,
    pkg_preinprog,
    pkg_postinprog,
    pkg_preunprog,
    pkg_postunprog,
    pkg_buildarchs,
    pkg_verifyscript,
    pkg_verifyscriptprog,
    pkg_prefixes,
    pkg_instprefixes,
    pkg_optflags,
    pkg_disturl,
    pkg_payloadformat,
    pkg_payloadcompressor,
    pkg_payloadflags,
    pkg_platform,
    pkg_vcs,
    pkg_pretrans,
    pkg_posttrans,
    sourcepkgname
FROM Packages
ANY LEFT JOIN
(
    SELECT pkg_hash AS pkg_srcrpm_hash, pkg_name AS sourcepkgname
    FROM Packages
    WHERE pkg_sourcepackage = 1
) AS SrcPkgs USING pkg_srcrpm_hash
WHERE pkg_sourcepackage = 0 AND pkg_srcrpm_hash != 0;

-- Nodes of the newest root of every root node name (images included).
DROP TABLE IF EXISTS last_pkgnames_without_pname;
CREATE VIEW last_pkgnames_without_pname AS
SELECT
    pkgset_uuid,
    pkgset_puuid,
    pkgset_ruuid,
    pkgset_depth,
    pkgset_nodename,
    pkgset_date,
    pkgset_tag,
    pkgset_complete,
    pkgset_kv.k,
    pkgset_kv.v,
    pkgset_name,
    pkgset_class
FROM PackageSetName
INNER JOIN
(
    SELECT
        pkgset_uuid AS pkgset_ruuid,
        pkgset_nodename AS pkgset_name,
        pkgset_kv.v[indexOf(pkgset_kv.k, 'class')] AS pkgset_class
    FROM PackageSetName
    WHERE pkgset_depth = 0 AND (pkgset_nodename, pkgset_date) IN
    (
        SELECT pkgset_nodename, max(pkgset_date)
        FROM PackageSetName
        WHERE pkgset_depth = 0
        GROUP BY pkgset_nodename
    )
) AS Roots USING pkgset_ruuid;

DROP TABLE IF EXISTS last_pkgnames;
CREATE VIEW last_pkgnames AS
SELECT
    pkgset_uuid,
    pkgset_puuid,
    pkgset_ruuid,
    pkgset_depth,
    pkgset_nodename,
    pkgset_date,
    pkgset_tag,
    pkgset_complete,
    pkgset_kv.k,
    pkgset_kv.v,
    pkgset_name,
    pkgset_class,
    pkgset_pname
FROM last_pkgnames_without_pname
ANY LEFT JOIN
(
    SELECT pkgset_uuid AS pkgset_puuid, pkgset_nodename AS pkgset_pname
    FROM PackageSetName
) AS Parents USING pkgset_puuid;

DROP TABLE IF EXISTS last_pkgset;
CREATE VIEW last_pkgset AS
SELECT
    pkgset_uuid,
    pkgset_puuid,
    pkgset_ruuid,
    pkgset_depth,
    pkgset_nodename,
    pkgset_date,
    pkgset_tag,
    pkgset_complete,
    pkgset_kv.k,
    pkgset_kv.v,
    pkgset_name,
    pkgset_class,
    pkgset_pname,
    pkg_hash
FROM last_pkgnames
INNER JOIN
(
    SELECT DISTINCT pkgset_uuid, pkg_hash
    FROM PackageSet
    WHERE pkgset_uuid IN (SELECT pkgset_uuid FROM last_pkgnames)
) AS Members USING pkgset_uuid;

-- Binary packages of the newest snapshot of every package set, with the
-- source package name.
DROP TABLE IF EXISTS last_packages_with_source;
CREATE VIEW last_packages_with_source AS
SELECT
    pkg_hash,
    pkg_cs,
    pkg_packager,
    pkg_packager_email,
    pkg_name,
    pkg_arch,
    pkg_version,
    pkg_release,
    pkg_epoch,
    pkg_serial_,
    pkg_buildtime,
    pkg_buildhost,
    pkg_size,
    pkg_archivesize,
    pkg_filesize,
    pkg_rpmversion,
    pkg_cookie,
    pkg_sourcepackage,
    pkg_disttag,
    pkg_sourcerpm,
    pkg_srcrpm_hash,
    pkg_filename,
    pkg_complete,
    pkg_summary,
    pkg_description,
    pkg_changelog.date,
    pkg_changelog.name,
    pkg_changelog.evr,
    pkg_changelog.hash,
    pkg_distribution,
    pkg_vendor,
    pkg_gif,
    pkg_xpm,
    pkg_license,
    pkg_group_,
    pkg_url,
    pkg_os,
    pkg_prein,
    pkg_postin,
    pkg_preun,
    pkg_postun,
    pkg_icon,
    pkg_preinprog,
    pkg_postinprog,
    pkg_preunprog,
    pkg_postunprog,
    pkg_buildarchs,
    pkg_verifyscript,
    pkg_verifyscriptprog,
    pkg_prefixes,
    pkg_instprefixes,
    pkg_optflags,
    pkg_disturl,
    pkg_payloadformat,
    pkg_payloadcompressor,
    pkg_payloadflags,
    pkg_platform,
    pkg_vcs,
    pkg_pretrans,
    pkg_posttrans,
    sourcepkgname,
    pkgset_name,
    pkgset_date
FROM all_packages_with_source
INNER JOIN
(
    SELECT DISTINCT pkg_hash, pkgset_name, pkgset_date
    FROM last_pkgset
) AS LPS USING pkg_hash;

-- Source package name -> binary package names (i586-* binaries excluded).
-- buildtime is the version of a ReplacingMergeTree (schema.md:
-- SimpleAggregateFunction(max, UInt32) in an AggregatingMergeTree); readers
-- aggregate with max/argMax as the reference does.
CREATE TABLE IF NOT EXISTS PackagesSourceAndBinaries
(
    buildtime    UInt32,
    src_pkg_name String,
    bin_pkg_name String
)
ENGINE = ReplacingMergeTree(buildtime)
ORDER BY (src_pkg_name, bin_pkg_name);

DROP TABLE IF EXISTS mv_packages_source_and_binaries;
CREATE MATERIALIZED VIEW mv_packages_source_and_binaries TO PackagesSourceAndBinaries AS
SELECT
    max(pkg_buildtime) AS buildtime,
    arrayStringConcat(arrayPopBack(arrayPopBack(splitByChar('-', pkg_sourcerpm))), '-') AS src_pkg_name,
    pkg_name AS bin_pkg_name
FROM Packages
WHERE pkg_srcrpm_hash != 0 AND pkg_sourcepackage = 0 AND NOT startsWith(pkg_name, 'i586-')
GROUP BY src_pkg_name, bin_pkg_name;

CREATE TABLE IF NOT EXISTS RepositoryStatus
(
    pkgset_name             LowCardinality(String),
    rs_start_date           DateTime,
    rs_end_date             DateTime,
    rs_show                 UInt8,
    rs_description_ru       String,
    rs_description_en       String,
    rs_mirrors_json         String,
    rs_mailing_list         LowCardinality(String),
    rs_pkgset_name_bugzilla LowCardinality(String),
    ts                      DateTime MATERIALIZED now()
)
ENGINE = MergeTree()
ORDER BY (pkgset_name, rs_show)
PRIMARY KEY (pkgset_name);

-- Spec files of source packages; loaders insert the decoded text directly
-- (the reference's base64 insert path needs base64Decode, missing on 18.16).
CREATE TABLE IF NOT EXISTS Specfiles
(
    pkg_hash         UInt64,
    pkg_name         String,
    pkg_epoch        UInt32,
    pkg_version      String,
    pkg_release      String,
    specfile_name    String,
    specfile_date    DateTime,
    specfile_content String
)
ENGINE = ReplacingMergeTree()
ORDER BY (pkg_hash, specfile_content);

-- Per-branch statistics of the newest repository snapshot: one tuple per
-- component node holding packages: (arch, component, package count, total
-- file size, node uuid). Depth-2 nodes report their parent node name as
-- arch; depth-1 nodes (e.g. srpm) report their own name for both.
DROP TABLE IF EXISTS lv_repository_statistics;
CREATE VIEW lv_repository_statistics AS
SELECT
    branch,
    branch_date,
    groupArray((arch, component, cnt, size, uuid)) AS stats
FROM
(
    SELECT branch, branch_date, arch, component, cnt, size, uuid
    FROM
    (
        SELECT
            pkgset_uuid AS uuid,
            pkgset_ruuid,
            if(pkgset_depth = 2, Parents.pname, pkgset_nodename) AS arch,
            pkgset_nodename AS component
        FROM PackageSetName
        ANY LEFT JOIN
        (
            SELECT pkgset_uuid AS pkgset_puuid, pkgset_nodename AS pname
            FROM PackageSetName
        ) AS Parents USING pkgset_puuid
        WHERE pkgset_depth > 0 AND pkgset_ruuid IN
        (
            SELECT pkgset_ruuid FROM last_packages_stage1
            WHERE (pkgset_name, pkgset_date) IN (SELECT pkgset_name, max(pkgset_date) FROM last_packages_stage1 GROUP BY pkgset_name)
        )
    ) AS Comps
    INNER JOIN
    (
        SELECT uuid, pkgset_ruuid, branch, branch_date, cnt, size
        FROM
        (
            SELECT pkgset_uuid AS uuid, count() AS cnt, sum(pkg_filesize) AS size
            FROM
            (
                SELECT DISTINCT pkgset_uuid, pkg_hash
                FROM PackageSet
                WHERE pkgset_uuid IN
                (
                    SELECT pkgset_uuid FROM PackageSetName
                    WHERE pkgset_depth > 0 AND pkgset_ruuid IN
                    (
                        SELECT pkgset_ruuid FROM last_packages_stage1
                        WHERE (pkgset_name, pkgset_date) IN (SELECT pkgset_name, max(pkgset_date) FROM last_packages_stage1 GROUP BY pkgset_name)
                    )
                )
            )
            ANY INNER JOIN
            (
                SELECT pkg_hash, pkg_filesize FROM Packages
            ) AS Sizes USING pkg_hash
            GROUP BY pkgset_uuid
        )
        ANY INNER JOIN
        (
            SELECT pkgset_uuid AS uuid, pkgset_ruuid, branch, branch_date
            FROM PackageSetName
            ANY INNER JOIN
            (
                SELECT DISTINCT pkgset_ruuid, pkgset_name AS branch, pkgset_date AS branch_date
                FROM last_packages_stage1
            ) AS R USING pkgset_ruuid
            WHERE pkgset_depth > 0
        ) AS NodeRoots USING uuid
    ) AS Counts USING (uuid, pkgset_ruuid)
)
GROUP BY branch, branch_date;
