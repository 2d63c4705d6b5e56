-- ACLs, repocop, beehive, watch, antivirus, licenses.

CREATE TABLE IF NOT EXISTS Acl
(
    acl_date   DateTime,
    acl_for    String,
    acl_branch String,
    acl_list   Array(String)
)
ENGINE = MergeTree()
ORDER BY (acl_date, acl_branch, acl_for, acl_list)
PRIMARY KEY (acl_date, acl_branch);

-- Newest ACL list per (branch, package or @group).
DROP TABLE IF EXISTS last_acl;
CREATE VIEW last_acl AS
SELECT
    acl_branch,
    max(acl_date) AS acl_date_last,
    acl_for,
    argMax(acl_list, acl_date) AS acl_list
FROM Acl
GROUP BY acl_branch, acl_for;

-- Pre-aggregated last_acl, filled by mv_last_acl. schema.md declares
-- SimpleAggregateFunction columns in an AggregatingMergeTree; here they are
-- plain columns of a ReplacingMergeTree versioned by acl_date_last, which
-- keeps the newest list per (acl_branch, acl_for) after merges. Until a merge
-- older rows may coexist: exact readers use argMax(acl_list, acl_date_last)
-- or FINAL; loaders run OPTIMIZE TABLE last_acl_stage1 FINAL after loading
-- an ACL snapshot.
CREATE TABLE IF NOT EXISTS last_acl_stage1
(
    acl_branch    String,
    acl_date_last DateTime,
    acl_for       String,
    acl_list      Array(String)
)
ENGINE = ReplacingMergeTree(acl_date_last)
ORDER BY (acl_branch, acl_for);

DROP TABLE IF EXISTS mv_last_acl;
CREATE MATERIALIZED VIEW mv_last_acl TO last_acl_stage1 AS
SELECT
    acl_branch,
    max(acl_date) AS acl_date_last,
    acl_for,
    argMax(acl_list, acl_date) AS acl_list
FROM Acl
GROUP BY acl_branch, acl_for;

-- Package ACLs expanded to one row per member position; a @group member is
-- replaced by one row per group member (order_g = position inside the group,
-- 0 for direct members).
DROP TABLE IF EXISTS last_acl_with_groups;
CREATE VIEW last_acl_with_groups AS
SELECT
    acl_branch,
    acl_date,
    pkgname,
    if(order_g = 0, aclu, aclg) AS acl_user,
    order_u,
    order_g
FROM
(
    SELECT acl_branch, acl_date, pkgname, aclu, toUInt32(pos_u) AS order_u
    FROM
    (
        SELECT
            acl_branch,
            acl_for AS pkgname,
            max(acl_date_last) AS acl_date,
            argMax(acl_list, acl_date_last) AS members
        FROM last_acl_stage1
        GROUP BY acl_branch, acl_for
    )
    ARRAY JOIN
        members AS aclu,
        arrayEnumerate(members) AS pos_u
) AS Direct
ALL LEFT JOIN
(
    SELECT acl_branch, aclu, aclg, toUInt32(pos_g) AS order_g
    FROM
    (
        SELECT
            acl_branch,
            acl_for AS aclu,
            argMax(acl_list, acl_date_last) AS members
        FROM last_acl_stage1
        WHERE startsWith(acl_for, '@')
        GROUP BY acl_branch, acl_for
    )
    ARRAY JOIN
        members AS aclg,
        arrayEnumerate(members) AS pos_g
) AS Groups USING (acl_branch, aclu);

CREATE TABLE IF NOT EXISTS PackagesRepocop
(
    pkg_name           String,
    pkg_version        String,
    pkg_release        String,
    pkg_arch           LowCardinality(String),
    pkgset_name        LowCardinality(String),
    rc_srcpkg_name     String,
    rc_srcpkg_version  String,
    rc_srcpkg_release  String,
    rc_test_name       LowCardinality(String),
    rc_test_date       DateTime,
    rc_test_status     LowCardinality(String),
    rc_test_message    String,
    ts                 DateTime MATERIALIZED now()
)
ENGINE = ReplacingMergeTree()
ORDER BY (pkg_name, pkg_version, pkg_release, pkg_arch, pkgset_name, rc_test_name, rc_test_date);

CREATE TABLE IF NOT EXISTS BeehiveStatus
(
    pkg_hash       UInt64,
    pkg_name       String,
    pkg_version    String,
    pkg_release    String,
    pkgset_name    LowCardinality(String),
    bh_arch        LowCardinality(String),
    bh_status      Enum8('error' = 0, 'success' = 1),
    bh_build_time  Float32,
    bh_updated     DateTime,
    bh_ftbfs_since DateTime
)
ENGINE = MergeTree()
ORDER BY (pkgset_name, pkg_name, bh_updated, bh_arch, pkg_hash)
PRIMARY KEY (pkgset_name, pkg_name);

CREATE TABLE IF NOT EXISTS PackagesWatch
(
    acl         String,
    pkg_name    String,
    old_version String,
    new_version String,
    url         String,
    date_update DateTime
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(date_update)
ORDER BY (acl, date_update, pkg_name, old_version, new_version, url);

CREATE TABLE IF NOT EXISTS AntivirusScanStatus
(
    av_scanner  String,
    av_type     String,
    av_issue    String,
    av_message  String,
    av_target   String,
    file_name   String,
    pkgset_name String,
    pkg_name    String,
    pkg_version String,
    pkg_release String,
    pkg_arch    String,
    av_date     DateTime
)
ENGINE = MergeTree()
ORDER BY (pkgset_name, av_scanner, av_date, pkg_name);

CREATE TABLE IF NOT EXISTS SPDXLicenses
(
    spdx_id     String,
    spdx_name   String,
    spdx_text   String,
    spdx_header String,
    spdx_urls   Array(String),
    spdx_type   Enum8('license' = 0, 'exception' = 1)
)
ENGINE = ReplacingMergeTree()
ORDER BY (spdx_id, spdx_type, spdx_name, spdx_text);

CREATE TABLE IF NOT EXISTS LicenseAliases
(
    alias   String,
    spdx_id String
)
ENGINE = ReplacingMergeTree()
ORDER BY (alias, spdx_id);
