-- Management and users (written by the API). Server-side SQL functions of
-- the reference (get_errata_user_original_name, get_errata_user_aliases,
-- extractErrataIdNoVersion, extractErrataIdVersion) cannot be created on
-- 18.16; queries inline them (see README.md).

CREATE TABLE IF NOT EXISTS Comments
(
    comment_id          UInt64,
    comment_pid         UInt64,
    comment_rid         UInt64,
    comment_entity_type String,
    comment_entity_link String,
    comment_author      String,
    comment_text        String,
    comment_references  Nested(type String, link String),
    comment_created     DateTime
)
ENGINE = MergeTree()
ORDER BY (comment_entity_type, comment_entity_link, comment_id);

CREATE TABLE IF NOT EXISTS CommentsChangeHistory
(
    comment_id UInt64,
    cc_user    String,
    cc_user_ip String,
    cc_reason  String,
    cc_action  Enum8('create' = 0, 'update' = 1, 'discard' = 2, 'hide' = 3, 'show' = 4),
    ts         DateTime DEFAULT now()
)
ENGINE = MergeTree()
ORDER BY (comment_id, ts);

CREATE TABLE IF NOT EXISTS DefaultReasons
(
    dr_text       String,
    dr_source     String,
    dr_action     String,
    dr_is_active  UInt8,
    dr_is_deleted UInt8,
    ts            DateTime DEFAULT now()
)
ENGINE = MergeTree()
ORDER BY (dr_source, dr_action, dr_text, ts);

CREATE TABLE IF NOT EXISTS ErrataUsers
(
    user         String,
    display_name String,
    `group`      String,
    roles        Array(String),
    ts           DateTime MATERIALIZED now()
)
ENGINE = MergeTree()
ORDER BY (user, ts);

CREATE TABLE IF NOT EXISTS ErrataUsersAliases
(
    user    String,
    aliases Array(String),
    ts      DateTime DEFAULT now()
)
ENGINE = MergeTree()
ORDER BY (user, ts);

CREATE TABLE IF NOT EXISTS ErrataUsersSubscriptions
(
    user        String,
    entity_type String,
    entity_link String,
    state       String,
    assigner    String,
    date        DateTime
)
ENGINE = MergeTree()
ORDER BY (user, entity_type, entity_link, date);
