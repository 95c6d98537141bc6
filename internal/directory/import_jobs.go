package directory

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
)

// JobState is where a background import is.
type JobState string

const (
	JobRunning JobState = "running"
	JobDone    JobState = "done"   // finished; some records may have been rejected
	JobFailed  JobState = "failed" // stopped part way: batches already stored stay
)

// Job is a background import as stored in dir_imports, for a progress page.
type Job struct {
	ID         int64
	Source     string
	State      JobState
	Summary    Summary // counts so far, Total and Done for "rows done of total"
	Failure    string  // why a failed job stopped
	StartedAt  time.Time
	FinishedAt *time.Time
}

// Opener opens a job's source when the job starts, in the background.
type Opener func(ctx context.Context) (Source, error)

// Jobs runs directory imports in the background and keeps their progress in the database, so
// that any request, on any server, can read it.
type Jobs struct {
	d   *Directory
	ctx context.Context // the jobs' lifetime: cancelling it stops them
	wg  sync.WaitGroup
}

// NewJobs returns Jobs over d whose imports run until ctx is done.
func NewJobs(ctx context.Context, d *Directory) *Jobs { return &Jobs{d: d, ctx: ctx} }

// Start records a new job for source and runs it in the background, as actor; it returns the
// job's id at once.
func (j *Jobs) Start(ctx context.Context, actor audit.Actor, source string, open Opener) (int64, error) {
	if err := checkSource(source); err != nil {
		return 0, err
	}
	var id int64
	err := j.d.db.Tx(ctx, func(c store.Conn) error {
		return c.QueryRow(ctx, `INSERT INTO dir_imports (source, state, started_at) VALUES (?, ?, ?) RETURNING id`,
			source, string(JobRunning), store.Now()).Scan(&id)
	})
	if err != nil {
		return 0, apperr.Wrap("start import", err)
	}
	j.wg.Go(func() { j.run(id, actor, source, open) })
	return id, nil
}

// Wait waits for every job started to finish.
func (j *Jobs) Wait() { j.wg.Wait() }

func (j *Jobs) run(id int64, actor audit.Actor, source string, open Opener) {
	ctx := j.ctx
	src, err := open(ctx)
	var sum Summary
	if err == nil {
		sum, err = j.d.Import(ctx, source, src, ImportOptions{Actor: actor,
			Progress: func(s Summary) { j.save(ctx, id, s, JobRunning, "") }})
	}
	state, failure := JobDone, ""
	switch {
	case err != nil && ctx.Err() != nil:
		state, failure = JobFailed, interrupted
	case err != nil:
		state, failure = JobFailed, reason(err)
	}
	// Record the end even when the jobs' context was cancelled.
	j.save(context.WithoutCancel(ctx), id, sum, state, failure)
}

// save writes a job's progress; a failure to write it is not the import's, so it is dropped.
func (j *Jobs) save(ctx context.Context, id int64, s Summary, state JobState, failure string) {
	rejections, _ := json.Marshal(s.Rejections)
	var finished any
	if state != JobRunning {
		finished = store.Now()
	}
	j.d.db.Exec(ctx, `UPDATE dir_imports SET state = ?, total = ?, done = ?, created = ?, updated = ?, unchanged = ?,
		rejected = ?, rejections = ?, failure = ?, finished_at = ? WHERE id = ?`,
		string(state), s.Total, s.Done, s.Created, s.Updated, s.Unchanged, s.Rejected, string(rejections), failure, finished, id)
}

// interrupted is why a job stopped because Linkwell did.
const interrupted = "Interrupted: Linkwell stopped before this import finished. The records stored before it stopped are kept; start the import again to finish it."

// FailInterrupted marks failed every job still recorded as running, and returns how many. Jobs
// run inside the server that started them, so when a server starts, one still recorded as
// running was left by a server that stopped without finishing it (it was killed, or the
// machine went down). Call it at start-up, before starting any job. With several servers on
// one PostgreSQL database, it would also mark the jobs the others are running.
func (d *Directory) FailInterrupted(ctx context.Context) (int64, error) {
	n, err := d.db.Exec(ctx, `UPDATE dir_imports SET state = ?, failure = ?, finished_at = ? WHERE state = ?`,
		string(JobFailed), interrupted, store.Now(), string(JobRunning))
	return n, apperr.Wrap("mark interrupted imports", err)
}

// ListJobs returns a page of imports, the latest first, without their rejections.
func (j *Jobs) ListJobs(ctx context.Context, p Page) (Results[Job], error) {
	p = p.normal()
	res := Results[Job]{Page: p}
	err := j.d.db.ReadTx(ctx, func(c store.Conn) error {
		if err := c.QueryRow(ctx, `SELECT COUNT(*) FROM dir_imports`).Scan(&res.Total); err != nil {
			return err
		}
		rows, err := c.Query(ctx, `SELECT `+jobColumns+` FROM dir_imports ORDER BY id DESC LIMIT ? OFFSET ?`, p.Size, p.offset())
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			job, _, err := scanJob(rows)
			if err != nil {
				return err
			}
			res.Items = append(res.Items, job)
		}
		return rows.Err()
	})
	return res, apperr.Wrap("list imports", err)
}

// Progress reads job id as it stands now.
func (j *Jobs) Progress(ctx context.Context, id int64) (Job, error) {
	job, rejections, err := scanJob(j.d.db.Reader().QueryRow(ctx, `SELECT `+jobColumns+` FROM dir_imports WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Job{}, apperr.New(apperr.NotFound, "There is no import %d", id)
	}
	if err != nil {
		return Job{}, apperr.Wrap("read import", err)
	}
	if err := json.Unmarshal([]byte(rejections), &job.Summary.Rejections); err != nil {
		return Job{}, apperr.Wrap("read import", fmt.Errorf("rejections of import %d: %w", id, err))
	}
	return job, nil
}

const jobColumns = `id, source, state, total, done, created, updated, unchanged, rejected, rejections, failure, started_at, finished_at`

// scanJob reads the jobColumns of one job, and its rejections as stored.
func scanJob(row interface{ Scan(...any) error }) (Job, string, error) {
	var job Job
	var state, rejections string
	var finished sql.NullTime
	err := row.Scan(&job.ID, &job.Source, &state, &job.Summary.Total, &job.Summary.Done, &job.Summary.Created,
		&job.Summary.Updated, &job.Summary.Unchanged, &job.Summary.Rejected, &rejections, &job.Failure, &job.StartedAt, &finished)
	if err != nil {
		return Job{}, "", err
	}
	job.State, job.Summary.Source = JobState(state), job.Source
	if finished.Valid {
		job.FinishedAt = &finished.Time
	}
	return job, rejections, nil
}
