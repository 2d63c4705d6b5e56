-- Bugzilla, errata and vulnerabilities. Columns marked *inferred* in
-- schema.md use String where the reference type is unknown (String or Enum).

CREATE TABLE IF NOT EXISTS Bugzilla
(
    bz_id            UInt32,
    bz_status        LowCardinality(String),
    bz_resolution    LowCardinality(String),
    bz_severity      LowCardinality(String),
    bz_priority      LowCardinality(String),
    bz_product       LowCardinality(String),
    bz_version       LowCardinality(String),
    bz_platform      LowCardinality(String),
    bz_component     String,
    bz_assignee      String,
    bz_reporter      String,
    bz_summary       String,
    bz_last_changed  DateTime,
    bz_assignee_full String,
    bz_reporter_full String,
    ts               DateTime MATERIALIZED now()
)
ENGINE = MergeTree()
ORDER BY (bz_id, bz_component, bz_assignee)
PRIMARY KEY (bz_id);

-- Every version of every errata record. errata_id_noversion and
-- errata_id_version are computed (not returned by SELECT *); eh_json and ts
-- are ordinary columns placed last.
CREATE TABLE IF NOT EXISTS ErrataHistory
(
    errata_id           String,
    errata_id_noversion String MATERIALIZED arrayStringConcat(arrayPopBack(splitByChar('-', errata_id)), '-'),
    errata_id_version   UInt32 MATERIALIZED toUInt32OrZero(splitByChar('-', errata_id)[-1]),
    eh_created          DateTime,
    eh_updated          DateTime,
    eh_hash             UInt64,
    eh_type             String,
    eh_source           String,
    eh_references       Nested(type String, link String),
    pkg_hash            UInt64,
    pkg_name            String,
    pkg_version         String,
    pkg_release         String,
    pkgset_name         String,
    task_id             UInt32,
    subtask_id          UInt32,
    task_state          String,
    eh_json             String,
    ts                  DateTime DEFAULT now()
)
ENGINE = MergeTree()
ORDER BY (errata_id, eh_updated);

CREATE TABLE IF NOT EXISTS ErrataChangeHistory
(
    ec_id           String,
    ec_id_noversion String MATERIALIZED arrayStringConcat(arrayPopBack(splitByChar('-', ec_id)), '-'),
    ec_created      DateTime,
    ec_updated      DateTime,
    ec_user         String,
    ec_user_ip      String,
    ec_reason       String,
    ec_type         String,
    ec_source       String,
    ec_origin       String,
    errata_id       String,
    transaction_id  UUID,
    ts              DateTime DEFAULT now()
)
ENGINE = MergeTree()
ORDER BY (ec_id, ts);

-- Errata ids whose latest change is a discard.
DROP TABLE IF EXISTS last_discarded_erratas;
CREATE VIEW last_discarded_erratas AS
SELECT errata_id
FROM
(
    SELECT errata_id, argMax(ec_type, ts) AS last_type
    FROM ErrataChangeHistory
    GROUP BY errata_id
)
WHERE last_type = 'discard';

CREATE TABLE IF NOT EXISTS Vulnerabilities
(
    vuln_id             String,
    vuln_hash           UInt64,
    vuln_type           String,
    vuln_summary        String,
    vuln_score          Float32,
    vuln_severity       String,
    vuln_url            String,
    vuln_modified_date  DateTime,
    vuln_published_date DateTime,
    vuln_json           String,
    vuln_references     Nested(type String, link String),
    vuln_rejected       UInt8,
    ts                  DateTime DEFAULT now()
)
ENGINE = MergeTree()
ORDER BY (vuln_id, vuln_hash);

-- Triage status; vs_updated defaults to the insertion time, ts is not part
-- of SELECT * (MATERIALIZED).
CREATE TABLE IF NOT EXISTS VulnerabilityStatus
(
    vuln_id        String,
    vs_author      String,
    vs_status      String,
    vs_resolution  String,
    vs_reason      String,
    vs_subscribers Array(String),
    vs_json        String,
    vs_updated     DateTime DEFAULT now(),
    ts             DateTime MATERIALIZED now()
)
ENGINE = MergeTree()
ORDER BY (vuln_id, vs_updated);

CREATE TABLE IF NOT EXISTS CpeMatch
(
    vuln_id                    String,
    vuln_hash                  UInt64,
    cpm_cpe                    String,
    cpm_version_start          String,
    cpm_version_end            String,
    cpm_version_start_excluded UInt8,
    cpm_version_end_excluded   UInt8,
    cpe_hash                   UInt64,
    ts                         DateTime DEFAULT now()
)
ENGINE = MergeTree()
ORDER BY (vuln_id, vuln_hash, cpe_hash);

CREATE TABLE IF NOT EXISTS PackagesCveMatch
(
    pkg_hash      UInt64,
    pkg_name      String,
    pkg_cpe_hash  UInt64,
    cpm_cpe       String,
    cpm_cpe_hash  UInt64,
    vuln_id       String,
    vuln_hash     UInt64,
    is_vulnerable UInt8,
    ts            DateTime DEFAULT now()
)
ENGINE = MergeTree()
ORDER BY (pkg_hash, vuln_id, cpm_cpe_hash);

-- Per package and vulnerability: matched as vulnerable and/or fixed (a
-- table filled by the vulnerability matcher).
CREATE TABLE IF NOT EXISTS PackagesVulnerabilityStatus
(
    pkg_hash      UInt64,
    pkg_name      String,
    pkgset_name   String,
    vuln_id       String,
    vuln_hash     UInt64,
    is_vulnerable UInt8,
    is_fixed      UInt8
)
ENGINE = ReplacingMergeTree()
ORDER BY (pkgset_name, pkg_name, pkg_hash, vuln_id, vuln_hash, is_vulnerable, is_fixed);

CREATE TABLE IF NOT EXISTS PackagesNameConversion
(
    pkg_name   String,
    pnc_state  String,
    pnc_result String,
    pnc_type   String,
    pnc_source String,
    ts         DateTime MATERIALIZED now()
)
ENGINE = MergeTree()
ORDER BY (pkg_name, pnc_result, pnc_type);

CREATE TABLE IF NOT EXISTS PncChangeHistory
(
    transaction_id UUID,
    pncc_user      String,
    pncc_user_ip   String,
    pncc_reason    String,
    pncc_type      String,
    pncc_source    String,
    pncc_origin    String,
    pkg_name       String,
    pnc_state      String,
    pnc_result     String,
    pnc_type       String,
    pnc_source     String,
    ts             DateTime DEFAULT now()
)
ENGINE = MergeTree()
ORDER BY (ts, transaction_id);
