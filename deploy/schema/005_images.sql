-- Distribution images.

-- One row per image root of PackageSetName, with image properties unpacked
-- from pkgset_kv; filled by mv_image_pkgset. img_kv (schema.md:
-- Map(String, String)) is Nested(k, v): read a key as
-- img_kv.v[indexOf(img_kv.k, 'file')]. ts is DEFAULT now() (set by the MV),
-- not MATERIALIZED, because 18.16 cannot fill MATERIALIZED columns of MV
-- targets.
CREATE TABLE IF NOT EXISTS ImagePackageSetName
(
    pkgset_uuid       UUID,
    pkgset_date       DateTime,
    img_tag           String,
    img_branch        LowCardinality(String),
    img_edition       LowCardinality(String),
    img_flavor        LowCardinality(String),
    img_platform      LowCardinality(String),
    img_release       LowCardinality(String),
    img_version_major UInt32,
    img_version_minor UInt32,
    img_version_sub   UInt32,
    img_arch          LowCardinality(String),
    img_variant       LowCardinality(String),
    img_type          LowCardinality(String),
    img_kv            Nested(k String, v String),
    ts                DateTime DEFAULT now()
)
ENGINE = MergeTree()
ORDER BY (pkgset_date, img_branch, img_edition, img_arch, img_variant, img_release)
PRIMARY KEY (pkgset_date, img_branch, img_edition);

DROP TABLE IF EXISTS mv_image_pkgset;
CREATE MATERIALIZED VIEW mv_image_pkgset TO ImagePackageSetName AS
SELECT
    pkgset_uuid,
    pkgset_date,
    pkgset_tag AS img_tag,
    CAST(pkgset_kv.v[indexOf(pkgset_kv.k, 'branch')] AS LowCardinality(String)) AS img_branch,
    CAST(pkgset_kv.v[indexOf(pkgset_kv.k, 'edition')] AS LowCardinality(String)) AS img_edition,
    CAST(pkgset_kv.v[indexOf(pkgset_kv.k, 'flavor')] AS LowCardinality(String)) AS img_flavor,
    CAST(pkgset_kv.v[indexOf(pkgset_kv.k, 'platform')] AS LowCardinality(String)) AS img_platform,
    CAST(pkgset_kv.v[indexOf(pkgset_kv.k, 'release')] AS LowCardinality(String)) AS img_release,
    toUInt32OrZero(pkgset_kv.v[indexOf(pkgset_kv.k, 'version_major')]) AS img_version_major,
    toUInt32OrZero(pkgset_kv.v[indexOf(pkgset_kv.k, 'version_minor')]) AS img_version_minor,
    toUInt32OrZero(pkgset_kv.v[indexOf(pkgset_kv.k, 'version_sub')]) AS img_version_sub,
    CAST(pkgset_kv.v[indexOf(pkgset_kv.k, 'arch')] AS LowCardinality(String)) AS img_arch,
    CAST(pkgset_kv.v[indexOf(pkgset_kv.k, 'variant')] AS LowCardinality(String)) AS img_variant,
    CAST(pkgset_kv.v[indexOf(pkgset_kv.k, 'image_type')] AS LowCardinality(String)) AS img_type,
    arrayFilter(k -> NOT has(['class', 'branch', 'edition', 'flavor', 'platform', 'release', 'version_major', 'version_minor', 'version_sub', 'arch', 'variant', 'image_type'], k), pkgset_kv.k) AS `img_kv.k`,
    arrayFilter((v, k) -> NOT has(['class', 'branch', 'edition', 'flavor', 'platform', 'release', 'version_major', 'version_minor', 'version_sub', 'arch', 'variant', 'image_type'], k), pkgset_kv.v, pkgset_kv.k) AS `img_kv.v`,
    now() AS ts
FROM PackageSetName
WHERE pkgset_depth = 0 AND pkgset_kv.v[indexOf(pkgset_kv.k, 'class')] != 'repository';

CREATE TABLE IF NOT EXISTS ImageStatus
(
    img_branch         LowCardinality(String),
    img_edition        LowCardinality(String),
    img_name           String,
    img_show           Enum8('hide' = 0, 'show' = 1),
    img_start_date     DateTime,
    img_end_date       DateTime,
    img_summary_ru     String,
    img_summary_en     String,
    img_description_ru String,
    img_description_en String,
    img_mailing_list   LowCardinality(String),
    img_name_bugzilla  LowCardinality(String),
    img_json           String,
    ts                 DateTime MATERIALIZED now()
)
ENGINE = MergeTree()
ORDER BY (img_branch, img_edition, img_show)
PRIMARY KEY (img_branch, img_edition);

CREATE TABLE IF NOT EXISTS ImageTagStatus
(
    img_tag  String,
    img_show Enum8('hide' = 0, 'show' = 1),
    ts       DateTime MATERIALIZED now()
)
ENGINE = ReplacingMergeTree()
ORDER BY img_tag;

-- Every binary package of every image, with the image identity.
DROP TABLE IF EXISTS lv_all_image_packages;
CREATE VIEW lv_all_image_packages AS
SELECT
    pkgset_uuid,
    img_branch,
    img_edition,
    img_tag,
    img_file,
    pkgset_date,
    pkg_hash,
    pkg_name,
    pkg_version,
    pkg_release,
    pkg_arch
FROM
(
    SELECT img_uuid AS pkgset_uuid, img_branch, img_edition, img_tag, img_file, pkgset_date, pkg_hash
    FROM
    (
        SELECT DISTINCT pkgset_ruuid AS img_uuid, pkg_hash
        FROM PackageSet
        INNER JOIN
        (
            SELECT pkgset_uuid, pkgset_ruuid
            FROM PackageSetName
            WHERE pkgset_ruuid IN (SELECT pkgset_uuid FROM ImagePackageSetName)
        ) AS Nodes USING pkgset_uuid
        WHERE pkgset_uuid IN
        (
            SELECT pkgset_uuid FROM PackageSetName
            WHERE pkgset_ruuid IN (SELECT pkgset_uuid FROM ImagePackageSetName)
        )
    ) AS Members
    INNER JOIN
    (
        SELECT
            pkgset_uuid AS img_uuid,
            toString(img_branch) AS img_branch,
            toString(img_edition) AS img_edition,
            img_tag,
            img_kv.v[indexOf(img_kv.k, 'file')] AS img_file,
            pkgset_date
        FROM ImagePackageSetName
    ) AS Images USING img_uuid
) AS ImagePkgs
INNER JOIN
(
    SELECT pkg_hash, pkg_name, pkg_version, pkg_release, toString(pkg_arch) AS pkg_arch
    FROM Packages
    WHERE pkg_sourcepackage = 0
) AS Pkgs USING pkg_hash;

-- Image roots (the API reads the set of branches having images).
DROP TABLE IF EXISTS lv_image_packageset;
CREATE VIEW lv_image_packageset AS
SELECT
    pkgset_uuid,
    pkgset_date,
    img_tag,
    toString(img_branch) AS img_branch,
    toString(img_edition) AS img_edition,
    toString(img_arch) AS img_arch
FROM ImagePackageSetName;
