-- Files and dependencies of packages.

CREATE TABLE IF NOT EXISTS Files
(
    pkg_hash        UInt64,
    file_hashname   UInt64,
    file_hashdir    UInt64,
    file_linkto     String,
    file_md5        FixedString(16),
    file_size       UInt32,
    file_mode       UInt16,
    file_rdev       UInt16,
    file_mtime      DateTime,
    file_flag       UInt16,
    file_username   LowCardinality(String),
    file_groupname  LowCardinality(String),
    file_verifyflag UInt32,
    file_device     UInt32,
    file_lang       LowCardinality(String),
    file_class      Enum8('file' = 0, 'directory' = 1, 'symlink' = 2, 'socket' = 3, 'block' = 4, 'char' = 5, 'fifo' = 6)
)
ENGINE = ReplacingMergeTree()
ORDER BY (pkg_hash, file_hashname, file_class, file_md5)
PRIMARY KEY (pkg_hash, file_hashname);

-- Dictionary of paths. fn_hash is a DEFAULT column (schema.md: MATERIALIZED)
-- because ClickHouse 18.16 cannot fill a MATERIALIZED column of the target of
-- a materialized view.
CREATE TABLE IF NOT EXISTS FileNames
(
    fn_name String,
    fn_hash UInt64 DEFAULT murmurHash3_64(fn_name)
)
ENGINE = ReplacingMergeTree()
ORDER BY fn_name;

-- Convenience insert path: insert full paths here (Null engine, nothing is
-- stored); the MVs below fill Files and FileNames. Loaders may also insert
-- into Files and FileNames directly.
CREATE TABLE IF NOT EXISTS Files_insert
(
    pkg_hash        UInt64,
    file_name       String,
    file_linkto     String,
    file_md5        FixedString(16),
    file_size       UInt32,
    file_mode       UInt16,
    file_rdev       UInt16,
    file_mtime      DateTime,
    file_flag       UInt16,
    file_username   LowCardinality(String),
    file_groupname  LowCardinality(String),
    file_verifyflag UInt32,
    file_device     UInt32,
    file_lang       LowCardinality(String),
    file_class      Enum8('file' = 0, 'directory' = 1, 'symlink' = 2, 'socket' = 3, 'block' = 4, 'char' = 5, 'fifo' = 6)
)
ENGINE = Null;

DROP TABLE IF EXISTS mv_files;
CREATE MATERIALIZED VIEW mv_files TO Files AS
SELECT
    pkg_hash,
    murmurHash3_64(file_name) AS file_hashname,
    murmurHash3_64(arrayStringConcat(arrayPopBack(splitByChar('/', file_name)), '/')) AS file_hashdir,
    file_linkto,
    file_md5,
    file_size,
    file_mode,
    file_rdev,
    file_mtime,
    file_flag,
    file_username,
    file_groupname,
    file_verifyflag,
    file_device,
    file_lang,
    file_class
FROM Files_insert;

DROP TABLE IF EXISTS mv_filenames_filename;
CREATE MATERIALIZED VIEW mv_filenames_filename TO FileNames AS
SELECT DISTINCT
    file_name AS fn_name,
    murmurHash3_64(file_name) AS fn_hash
FROM Files_insert;

DROP TABLE IF EXISTS mv_filenames_filedir;
CREATE MATERIALIZED VIEW mv_filenames_filedir TO FileNames AS
SELECT DISTINCT
    arrayStringConcat(arrayPopBack(splitByChar('/', file_name)), '/') AS fn_name,
    murmurHash3_64(fn_name) AS fn_hash
FROM Files_insert;

-- Files with their resolved path.
DROP TABLE IF EXISTS Files_view;
CREATE VIEW Files_view AS
SELECT
    file_name,
    pkg_hash,
    file_hashname,
    file_hashdir,
    file_linkto,
    file_md5,
    file_size,
    file_mode,
    file_rdev,
    file_mtime,
    file_flag,
    file_username,
    file_groupname,
    file_verifyflag,
    file_device,
    file_lang,
    file_class
FROM Files
ANY LEFT JOIN
(
    SELECT fn_hash AS file_hashname, fn_name AS file_name
    FROM FileNames
) AS FN USING file_hashname;

-- File search index: 'branch|path|…|binary-or-source|…' -> package.
CREATE TABLE IF NOT EXISTS FileSearch
(
    search_string String,
    lead          UInt64,
    ts            DateTime DEFAULT now()
)
ENGINE = MergeTree()
ORDER BY (search_string, lead);

CREATE TABLE IF NOT EXISTS Depends
(
    pkg_hash   UInt64,
    dp_name    String,
    dp_version String,
    dp_flag    UInt32,
    dp_type    Enum8('require' = 1, 'conflict' = 2, 'obsolete' = 3, 'provide' = 4)
)
ENGINE = ReplacingMergeTree()
ORDER BY (dp_name, dp_version, dp_type, dp_flag, pkg_hash)
PRIMARY KEY dp_name;

-- Dependencies of the packages currently in each branch.
DROP TABLE IF EXISTS last_depends;
CREATE VIEW last_depends AS
SELECT
    pkg_hash,
    dp_name,
    dp_version,
    dp_flag,
    dp_type,
    pkg_name,
    pkg_version,
    pkgset_name,
    pkgset_date,
    pkg_sourcepackage,
    pkg_arch,
    pkg_filename,
    pkg_sourcerpm
FROM Depends
INNER JOIN
(
    SELECT
        pkg_hash,
        pkg_name,
        pkg_version,
        pkgset_name,
        pkgset_date,
        pkg_sourcepackage,
        pkg_arch,
        pkg_filename,
        pkg_sourcerpm
    FROM static_last_packages
    INNER JOIN
    (
        SELECT pkg_hash, pkg_arch, pkg_filename, pkg_sourcerpm
        FROM Packages
        WHERE pkg_hash IN (SELECT pkg_hash FROM static_last_packages)
    ) AS PkgAttrs USING pkg_hash
) AS LastPkgs USING pkg_hash;
