-- news-incident-pipeline, `incidents follow` state v1: feeds, seen items, per-article records.
-- Every change is made in a transaction together with what it depends on, so a run killed at any
-- point leaves a state the next run continues from (no item lost, none processed twice).
CREATE TABLE IF NOT EXISTS feeds (
    url           TEXT PRIMARY KEY,
    etag          TEXT,
    last_modified TEXT,
    last_polled   TEXT,
    last_status   TEXT,              -- 'new items', 'unchanged', 'failed'
    last_error    TEXT,
    failures      INTEGER NOT NULL DEFAULT 0   -- consecutive failed polls
);
-- One row per article a feed announced. status: 'pending' (to fetch), 'failed' (fetch or
-- extraction failed, retried next run), 'gave_up' (failed `attempts` times, reported),
-- 'done' (processed: its record, if it is an incident, is in article_records), 'skipped'
-- (robots.txt, relevance gate or no article on the page; the reason is in last_error).
CREATE TABLE IF NOT EXISTS items (
    id          INTEGER PRIMARY KEY,
    feed        TEXT NOT NULL,
    link        TEXT,
    guid        TEXT,
    title       TEXT,
    summary     TEXT NOT NULL DEFAULT '',
    content     TEXT,
    published   TEXT,
    article_id  TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'failed', 'gave_up', 'done', 'skipped')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    first_seen  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS items_by_status ON items(status, id);
-- Every key an item was ever seen under (link:, guid:, hash:): any match means "seen".
CREATE TABLE IF NOT EXISTS item_keys (
    key     TEXT PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES items(id)
);
-- What each article said on its own; incidents are re-clustered from all of them every run.
CREATE TABLE IF NOT EXISTS article_records (
    article_id TEXT PRIMARY KEY,
    item_id    INTEGER NOT NULL REFERENCES items(id),
    record     TEXT NOT NULL
);
-- The incidents as last written to the output, to tell which ones a run created or updated.
CREATE TABLE IF NOT EXISTS incidents (
    id     TEXT PRIMARY KEY,
    record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id       INTEGER PRIMARY KEY,
    pid      INTEGER NOT NULL,
    started  TEXT NOT NULL,
    finished TEXT,
    ok       INTEGER,
    summary  TEXT
);
-- Who holds the run lock (the lock itself is an flock on STATE.lock, released when the holder dies).
CREATE TABLE IF NOT EXISTS lock (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    pid     INTEGER NOT NULL,
    started TEXT NOT NULL
);
