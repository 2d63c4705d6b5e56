-- Views that combine objects of several domains (created after all tables).

-- Source packages deleted from a branch and not back in it: newest deleting
-- task, its change time and the deleted package hash.
DROP TABLE IF EXISTS lv_branch_deleted_packages;
CREATE VIEW lv_branch_deleted_packages AS
SELECT
    pkgset_name,
    pkg_name,
    argMax(task_id, task_changed) AS task,
    max(task_changed) AS changed,
    argMax(pkg_hash, task_changed) AS hash
FROM
(
    SELECT toString(pkgset_name) AS pkgset_name, pkg_name, task_id, task_changed, pkg_hash
    FROM BranchPackageHistory
    WHERE pkg_sourcepackage = 1 AND tplan_action = 'delete'
)
WHERE (pkgset_name, pkg_name) NOT IN
(
    SELECT pkgset_name, pkg_name
    FROM static_last_packages
    WHERE pkg_sourcepackage = 1
)
GROUP BY pkgset_name, pkg_name;
