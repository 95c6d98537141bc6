-- Directory import jobs started from the web: one row a run, updated after every batch, so
-- that any request can show how far an import has gone.
CREATE TABLE dir_imports (
    id          INTEGER PRIMARY KEY,
    source      TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('running', 'done', 'failed')),
    total       INTEGER NOT NULL DEFAULT 0,  -- records the source said it would send; 0 until known
    done        INTEGER NOT NULL DEFAULT 0,  -- records stored or rejected
    created     INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL DEFAULT 0,
    unchanged   INTEGER NOT NULL DEFAULT 0,
    rejected    INTEGER NOT NULL DEFAULT 0,
    rejections  TEXT NOT NULL DEFAULT '[]',  -- JSON: the first rejections, id, where and reason
    failure     TEXT NOT NULL DEFAULT '',    -- why a failed import stopped
    started_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);
