package app

import (
	"context"
	"strconv"
	"time"

	"altrepo/libs/chdb"
	"altrepo/libs/lookup"
	"altrepo/services/packages/internal/deps"
)

// depsUniverse is the package set of a branch state: the last loaded
// snapshot (static_last_packages), or that snapshot with the DONE tasks
// committed after it applied (libs §8): minus del, plus add.
type depsUniverse struct {
	branch string
	// add are packages added by later tasks: sources and binaries.
	addSrc, addBin []uint64
	// del are packages removed by later tasks.
	del []uint64
}

// tasks reports whether later tasks changed the snapshot.
func (u *depsUniverse) tasks() bool { return len(u.addSrc)+len(u.addBin)+len(u.del) > 0 }

// nonEmpty binds a hash list for IN, never empty (0 is no package hash).
func nonEmpty(h []uint64) any {
	if len(h) == 0 {
		return chdb.In([]uint64{0})
	}
	return chdb.In(h)
}

// cond is the SQL condition "pkg_hash is in the state", optionally only
// sources (1) or binaries (0) when source >= 0, with its arguments.
func (u *depsUniverse) cond(source int) (string, []any) {
	flag, add := "", append(append([]uint64{}, u.addSrc...), u.addBin...)
	args := []any{u.branch}
	switch source {
	case 0:
		flag, add = " AND pkg_sourcepackage = 0", u.addBin
	case 1:
		flag, add = " AND pkg_sourcepackage = 1", u.addSrc
	}
	if !u.tasks() {
		return "pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = ?" + flag + ")", args
	}
	return "((pkg_hash IN (SELECT pkg_hash FROM static_last_packages WHERE pkgset_name = ?" + flag + ") AND pkg_hash NOT IN ?) OR pkg_hash IN ?)",
		append(args, nonEmpty(u.del), nonEmpty(add))
}

const sqlLastRepoSnapshot = `
SELECT pkgset_kv.v[indexOf(pkgset_kv.k, 'task')] AS task
FROM PackageSetName
WHERE pkgset_depth = 0 AND pkgset_nodename = ?
  AND pkgset_date = (SELECT max(pkgset_date) FROM static_last_packages WHERE pkgset_name = ?)
LIMIT 1`

const sqlLastRepoTaskDone = `
SELECT max(task_changed) AS changed FROM TaskStates WHERE task_id = ? AND task_state = 'DONE'`

const sqlLaterDoneTasks = `
SELECT task_id, max(task_changed) AS changed
FROM TaskStates
WHERE task_state = 'DONE' AND task_changed > toDateTime(?)
  AND task_id IN (SELECT task_id FROM Tasks WHERE task_repo = ?)
GROUP BY task_id
ORDER BY changed DESC, task_id DESC`

const sqlTaskPlans = `
SELECT task_id, action, pkgh_mmh
FROM (
    SELECT task_id, toString(tplan_action) AS action, tplan_sha256
    FROM (SELECT task_id, tplan_hash FROM task_plan_hashes WHERE task_id IN ?)
    INNER JOIN (
        SELECT tplan_hash, tplan_action, tplan_sha256 FROM TaskPlanPkgHash
        WHERE tplan_hash IN (SELECT tplan_hash FROM task_plan_hashes WHERE task_id IN ?)
    ) USING tplan_hash
)
INNER JOIN (SELECT pkgh_sha256 AS tplan_sha256, pkgh_mmh FROM PackageHash) USING tplan_sha256`

const sqlHashSourceFlags = `
SELECT pkg_hash, any(pkg_sourcepackage) AS pkg_sourcepackage FROM Packages WHERE pkg_hash IN ? GROUP BY pkg_hash`

// depsState returns the state of a branch: with lastTasks, the last
// snapshot plus the DONE tasks of the branch committed after it (libs §8),
// otherwise the snapshot alone. Taskless branches have no tasks.
func (a *App) depsState(ctx context.Context, branch string, lastTasks bool) (*depsUniverse, error) {
	u := &depsUniverse{branch: branch}
	if !lastTasks {
		return u, nil
	}
	for _, b := range lookup.List("taskless_branches") {
		if b == branch {
			return u, nil
		}
	}
	var snap []struct {
		Task string `ch:"task"`
	}
	if err := a.db.Select(ctx, "last_state_snapshot", &snap, sqlLastRepoSnapshot, branch, branch); err != nil {
		return nil, err
	}
	if len(snap) == 0 {
		return u, nil
	}
	since := time.Unix(0, 0).UTC()
	if id, err := strconv.ParseUint(snap[0].Task, 10, 32); err == nil {
		var done []struct {
			Changed time.Time `ch:"changed"`
		}
		if err := a.db.Select(ctx, "last_state_snapshot_task", &done, sqlLastRepoTaskDone, uint32(id)); err != nil {
			return nil, err
		}
		if len(done) > 0 {
			since = done[0].Changed
		}
	}
	var tasks []struct {
		ID      uint32    `ch:"task_id"`
		Changed time.Time `ch:"changed"`
	}
	if err := a.db.Select(ctx, "last_state_tasks", &tasks, sqlLaterDoneTasks, since.Unix(), branch); err != nil {
		return nil, err
	}
	if len(tasks) == 0 {
		return u, nil
	}
	ids := make([]uint32, len(tasks))
	for i, t := range tasks {
		ids[i] = t.ID
	}
	var plans []struct {
		Task   uint32 `ch:"task_id"`
		Action string `ch:"action"`
		Hash   uint64 `ch:"pkgh_mmh"`
	}
	if err := a.db.Select(ctx, "last_state_plans", &plans, sqlTaskPlans, chdb.In(ids), chdb.In(ids)); err != nil {
		return nil, err
	}
	// The newest task is applied last, on top of the others (libs §8).
	newest := tasks[0].ID
	addR, delR, addT, delT := map[uint64]bool{}, map[uint64]bool{}, map[uint64]bool{}, map[uint64]bool{}
	for _, p := range plans {
		switch {
		case p.Task == newest && p.Action == "add":
			addT[p.Hash] = true
		case p.Task == newest:
			delT[p.Hash] = true
		case p.Action == "add":
			addR[p.Hash] = true
		default:
			delR[p.Hash] = true
		}
	}
	add := map[uint64]bool{}
	for h := range addR {
		if !delT[h] {
			add[h] = true
		}
	}
	for h := range addT {
		add[h] = true
	}
	for h := range delR {
		u.del = append(u.del, h)
	}
	for h := range delT {
		if !delR[h] {
			u.del = append(u.del, h)
		}
	}
	if len(add) > 0 {
		var flags []struct {
			Hash   uint64 `ch:"pkg_hash"`
			Source uint8  `ch:"pkg_sourcepackage"`
		}
		if err := deps.SelectIn(ctx, a.db, "last_state_added", &flags, sqlHashSourceFlags, pkgDepsKeys(add), deps.ListArg); err != nil {
			return nil, err
		}
		for _, f := range flags {
			if f.Source == 1 {
				u.addSrc = append(u.addSrc, f.Hash)
			} else {
				u.addBin = append(u.addBin, f.Hash)
			}
		}
	}
	return u, nil
}
