-- Build tasks (girar) and branch history.

CREATE TABLE IF NOT EXISTS Tasks
(
    task_id            UInt32,
    subtask_id         UInt32,
    task_repo          LowCardinality(String),
    task_owner         LowCardinality(String),
    task_changed       DateTime,
    subtask_changed    DateTime,
    subtask_deleted    UInt8,
    subtask_userid     LowCardinality(String),
    subtask_dir        String,
    subtask_package    String,
    subtask_type       Enum8('unknown' = 0, 'srpm' = 1, 'gear' = 2, 'copy' = 3, 'delete' = 4, 'rebuild' = 5),
    subtask_pkg_from   LowCardinality(String),
    subtask_sid        String,
    subtask_tag_author String,
    subtask_tag_id     String,
    subtask_tag_name   String,
    subtask_srpm       String,
    subtask_srpm_name  String,
    subtask_srpm_evr   String,
    ts                 DateTime MATERIALIZED now()
)
ENGINE = ReplacingMergeTree()
ORDER BY (task_id, subtask_id, task_changed, subtask_changed, subtask_deleted)
PRIMARY KEY (task_id, subtask_id);

CREATE TABLE IF NOT EXISTS TaskStates
(
    task_changed       DateTime,
    task_id            UInt32,
    task_state         LowCardinality(String),
    task_runby         LowCardinality(String),
    task_depends       Array(UInt32),
    task_try           UInt16,
    task_testonly      UInt8,
    task_failearly     UInt8,
    task_shared        UInt8,
    task_message       String,
    task_version       String,
    task_prev          UInt32,
    task_eventlog_hash Array(UInt64),
    ts                 DateTime MATERIALIZED now()
)
ENGINE = ReplacingMergeTree()
ORDER BY (task_changed, task_id, task_state, task_try)
PRIMARY KEY (task_changed, task_id);

CREATE TABLE IF NOT EXISTS TaskIterations
(
    task_id             UInt32,
    task_changed        DateTime,
    subtask_id          UInt32,
    subtask_arch        LowCardinality(String),
    titer_ts            DateTime,
    titer_status        LowCardinality(String),
    task_try            UInt16,
    task_iter           UInt8,
    titer_srcrpm_hash   UInt64,
    titer_pkgs_hash     Array(UInt64),
    titer_chroot_base   UInt64,
    titer_chroot_br     UInt64,
    titer_buildlog_hash UInt64,
    titer_srpmlog_hash  UInt64
)
ENGINE = ReplacingMergeTree()
ORDER BY (task_id, subtask_id, subtask_arch, task_changed, titer_ts, titer_status, task_try, task_iter)
PRIMARY KEY (task_id, subtask_id);

CREATE TABLE IF NOT EXISTS TaskApprovals
(
    task_id      UInt32,
    subtask_id   UInt32,
    tapp_type    Enum8('approve' = 0, 'disapprove' = 1),
    tapp_revoked UInt8,
    tapp_date    DateTime,
    tapp_name    LowCardinality(String),
    tapp_message String,
    ts           DateTime MATERIALIZED now()
)
ENGINE = MergeTree()
ORDER BY (tapp_date, task_id, subtask_id);

CREATE TABLE IF NOT EXISTS TaskPlanPkgHash
(
    tplan_hash   UInt64,
    tplan_action Enum8('add' = 0, 'delete' = 1),
    tplan_sha256 FixedString(32)
)
ENGINE = ReplacingMergeTree()
ORDER BY (tplan_hash, tplan_action, tplan_sha256);

-- Plan keys of every task that reached DONE: latest try/iteration of the
-- task (by task_changed) for each subtask arch plus src, noarch and
-- x86_64-i586; tplan_hash = murmurHash3_64('<task_id><try><iter><arch>').
DROP TABLE IF EXISTS task_plan_hashes;
CREATE VIEW task_plan_hashes AS
SELECT
    task_id,
    murmurHash3_64(concat(toString(task_id), toString(last_try), toString(last_iter), tplan_arch)) AS tplan_hash,
    tplan_arch
FROM
(
    SELECT
        task_id,
        argMax(task_try, task_changed) AS last_try,
        argMax(task_iter, task_changed) AS last_iter,
        arrayDistinct(arrayConcat(groupUniqArray(toString(subtask_arch)), ['src', 'noarch', 'x86_64-i586'])) AS archs
    FROM TaskIterations
    WHERE task_id IN (SELECT task_id FROM TaskStates WHERE task_state = 'DONE')
    GROUP BY task_id
)
ARRAY JOIN archs AS tplan_arch;

CREATE TABLE IF NOT EXISTS TaskChroots
(
    tch_chroot Array(UInt64),
    tch_hash   UInt64 MATERIALIZED murmurHash3_64(arrayStringConcat(arrayMap(x -> toString(x), tch_chroot), ''))
)
ENGINE = ReplacingMergeTree()
ORDER BY tch_chroot;

CREATE TABLE IF NOT EXISTS TaskLogs
(
    tlog_hash    UInt64,
    tlog_line    UInt32,
    tlog_ts      DateTime,
    tlog_message String
)
ENGINE = ReplacingMergeTree()
ORDER BY (tlog_hash, tlog_line, tlog_ts, tlog_message);

-- Packages added to / deleted from branches by DONE tasks; filled by the
-- loader (the reference's mv_package_history needs `* EXCEPT`).
CREATE TABLE IF NOT EXISTS BranchPackageHistory
(
    pkgset_name       LowCardinality(String),
    task_id           UInt32,
    task_changed      DateTime,
    task_message      String,
    tplan_action      Enum8('add' = 0, 'delete' = 1),
    pkg_hash          UInt64,
    pkg_name          String,
    pkg_epoch         UInt32,
    pkg_version       String,
    pkg_release       String,
    pkg_arch          LowCardinality(String),
    pkg_sourcepackage UInt8,
    chlog_date        DateTime,
    chlog_name        String,
    chlog_nick        LowCardinality(String),
    chlog_evr         String,
    chlog_text        String
)
ENGINE = ReplacingMergeTree()
ORDER BY (pkg_hash, pkgset_name, pkg_name, pkg_sourcepackage, task_id);

-- Live task progress (state messages and build stages).
CREATE TABLE IF NOT EXISTS TaskProgress
(
    task_id       UInt32,
    type          String,
    task_repo     String,
    task_owner    String,
    task_state    String,
    task_try      UInt16,
    task_iter     UInt8,
    task_testonly UInt8,
    task_changed  DateTime,
    task_message  String,
    task_depends  Array(UInt32),
    stage         String,
    stage_status  String,
    ts            DateTime DEFAULT now()
)
ENGINE = MergeTree()
ORDER BY (task_id, ts);

-- Subtask-level progress messages.
CREATE TABLE IF NOT EXISTS TaskSubtaskProgress
(
    task_id            UInt32,
    subtask_id         UInt32,
    type               String,
    task_repo          String,
    task_owner         String,
    subtask_type       String,
    subtask_srpm       String,
    subtask_srpm_name  String,
    subtask_srpm_evr   String,
    subtask_dir        String,
    subtask_tag_id     String,
    subtask_tag_name   String,
    subtask_tag_author String,
    subtask_package    String,
    subtask_pkg_from   String,
    subtask_changed    DateTime,
    arch               String,
    status             String,
    stage_status       String,
    ts                 DateTime DEFAULT now()
)
ENGINE = MergeTree()
ORDER BY (task_id, subtask_id, ts);

-- Search index ('repo|owner|…|state|components' -> task id as text).
CREATE TABLE IF NOT EXISTS GlobalSearch
(
    lead          String,
    search_string String,
    type          String,
    ts            DateTime DEFAULT now()
)
ENGINE = MergeTree()
ORDER BY (type, lead, ts);
