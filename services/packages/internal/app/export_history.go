package app

import (
	"context"
	"fmt"
	"time"

	"altrepo/libs/chdb"
	"altrepo/libs/model"
)

// Branch history shared by /export/branch_tree and /site/tasks_history:
// DONE tasks of a set of branches (newest first) and the branch commits
// (snapshot roots) made by those tasks.
//
// The reference builds an ordered map task id -> task from every DONE
// state row, newest first (position of the first occurrence, value of the
// last one). The queries below do that in ClickHouse so the answer can be
// streamed: position = newest DONE time, value = the task's oldest DONE row.

// exportHistSQL holds the three queries for one set of branches and bound.
type exportHistSQL struct {
	tasks, commits, commitsAny, points string
	params                             []any
}

// %[1]s: optional upper bound on task_changed.
const sqlHistTaskSet = `
    SELECT task_id, argMin(task_prev, task_changed) AS h_prev, min(task_changed) AS h_changed,
        max(task_changed) AS pos
    FROM TaskStates
    WHERE task_state = 'DONE' %[1]s AND task_id IN (SELECT task_id FROM Tasks WHERE task_repo IN ?)
    GROUP BY task_id`

// Deduplicated tasks with their branch.
const sqlHistTasks = `
SELECT task_id, h_prev AS task_prev, task_repo, h_changed AS task_changed, pos
FROM (` + sqlHistTaskSet + `
)
INNER JOIN (
    SELECT DISTINCT task_id, toString(task_repo) AS task_repo FROM Tasks WHERE task_repo IN ?
) USING task_id`

const sqlHistCommitRoots = `
    SELECT pkgset_nodename, pkgset_date, toUInt32OrZero(pkgset_kv.v[indexOf(pkgset_kv.k, 'task')]) AS task
    FROM PackageSetName
    WHERE pkgset_depth = 0 AND pkgset_nodename IN ?`

func newExportHistSQL(branches []string, until *time.Time) exportHistSQL {
	bound := ""
	var bp []any
	if until != nil {
		bound = "AND task_changed <= ?"
		bp = append(bp, *until)
	}
	in := chdb.In(branches)
	tasks := fmt.Sprintf(sqlHistTasks, bound)
	tp := append(append([]any{}, bp...), in, in)
	h := exportHistSQL{}
	h.tasks = tasks + "\nORDER BY pos DESC, task_id DESC"
	h.commitsAny = "SELECT count() AS n FROM (" + sqlHistCommitRoots + ")"
	h.commits = `SELECT pkgset_nodename, pkgset_date, task FROM (` + sqlHistCommitRoots + `)
WHERE task IN (SELECT task_id FROM (` + tasks + `))
ORDER BY pkgset_date DESC`
	h.points = `
SELECT task_id, task_prev, task_repo, task_changed, prev_prev, prev_repo, prev_changed
FROM (` + tasks + `)
INNER JOIN (
    SELECT p_id AS task_prev, p_prev AS prev_prev, p_repo AS prev_repo, p_changed AS prev_changed
    FROM (
        SELECT task_id AS p_id, task_prev AS p_prev, task_repo AS p_repo, task_changed AS p_changed
        FROM (` + tasks + `)
    )
) USING task_prev
WHERE prev_repo != task_repo
ORDER BY pos DESC, task_id DESC`
	h.params = tp
	return h
}

// exportHistTask is one DONE task of a branch.
type exportHistTask struct {
	ID      uint32    `ch:"task_id"`
	Prev    uint32    `ch:"task_prev"`
	Branch  string    `ch:"task_repo"`
	Changed time.Time `ch:"task_changed"`
	Pos     time.Time `ch:"pos"`
}

// exportHistCommit is one branch snapshot root.
type exportHistCommit struct {
	Name string    `ch:"pkgset_nodename"`
	Date time.Time `ch:"pkgset_date"`
	Task uint32    `ch:"task"`
}

// exportBranchHist is the assembled history (tasks_history, small answers).
type exportBranchHist struct {
	tasks   []exportHistTask
	commits []exportHistCommit
}

// exportBranchHistory reads the history; nil when there are no tasks or no commits.
func (a *App) exportBranchHistory(ctx context.Context, name string, branches []string, until *time.Time) (*exportBranchHist, error) {
	if len(branches) == 0 {
		return nil, nil
	}
	q := newExportHistSQL(branches, until)
	h := &exportBranchHist{}
	if err := a.db.Select(ctx, name+"_tasks", &h.tasks, q.tasks, q.params...); err != nil {
		return nil, err
	}
	if len(h.tasks) == 0 {
		return nil, nil
	}
	var n []struct {
		N uint64 `ch:"n"`
	}
	if err := a.db.Select(ctx, name+"_commits_count", &n, q.commitsAny, chdb.In(branches)); err != nil {
		return nil, err
	}
	if len(n) == 0 || n[0].N == 0 {
		return nil, nil
	}
	params := append([]any{chdb.In(branches)}, q.params...)
	if err := a.db.Select(ctx, name+"_commits", &h.commits, q.commits, params...); err != nil {
		return nil, err
	}
	return h, nil
}

func exportHistTaskRecord(id, prev uint32, branch string, changed time.Time) model.Map {
	return model.Map{"id": id, "prev": prev, "branch": branch, "date": changed}
}

func (h *exportBranchHist) taskRecords() []model.Record {
	out := make([]model.Record, 0, len(h.tasks))
	for _, t := range h.tasks {
		out = append(out, exportHistTaskRecord(t.ID, t.Prev, t.Branch, t.Changed))
	}
	return out
}

func (h *exportBranchHist) commitRecords() []model.Record {
	out := make([]model.Record, 0, len(h.commits))
	for _, c := range h.commits {
		out = append(out, model.Map{"name": c.Name, "date": c.Date, "task": c.Task})
	}
	return out
}

// exportLastModified formats a task date as an HTTP date: the naive database
// value is read in the host's local zone, then shown in GMT.
func exportLastModified(t time.Time) string {
	local := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.Local)
	return local.UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT")
}

func (h *exportBranchHist) lastModified() string { return exportLastModified(h.tasks[0].Changed) }
