-- news-incident-pipeline, PostgreSQL migration 002: what the review page (`incidents serve`) needs.
-- Review actions: who did what to which incident, when, the old value and the new one. They are
-- re-applied in `id` order on top of every later clustering (pipeline/review/corrections.py).
CREATE TABLE review_actions (
    id          BIGSERIAL PRIMARY KEY,
    incident_id TEXT NOT NULL,
    articles    JSONB NOT NULL,  -- the incident's article ids when the action was made
    action      TEXT NOT NULL CHECK (action IN ('confirm', 'reject', 'correct', 'split', 'merge')),
    field       TEXT,            -- correct: the dotted path set
    target      TEXT,            -- the list element's name, the article split out, the incident merged in
    old         JSONB,
    new         JSONB,
    reviewer    TEXT NOT NULL,
    at          TEXT NOT NULL    -- ISO 8601, UTC
);
CREATE INDEX review_actions_by_incident ON review_actions (incident_id);
-- The cleaned text every evidence span points into, to show the span in its article.
CREATE TABLE articles (
    article_id TEXT PRIMARY KEY,
    url        TEXT,
    title      TEXT,
    publisher  TEXT,
    published  TEXT,
    text       TEXT NOT NULL
);
-- Read from the record, so the sinks write nothing new: the review state, and the day the
-- header's month comes from (occurred, else first published, else disclosed), for sorting.
ALTER TABLE incidents ADD COLUMN review_state TEXT
    GENERATED ALWAYS AS (coalesce(record->'review'->>'state', 'unreviewed')) STORED;
ALTER TABLE incidents ADD COLUMN event_date TEXT
    GENERATED ALWAYS AS (coalesce(occurred, record->'sources'->0->>'published', disclosed,
        discovered, reported)) STORED;
CREATE INDEX incidents_by_review_state ON incidents (review_state);
CREATE INDEX incidents_by_event_date ON incidents (event_date);
CREATE INDEX incidents_by_severity ON incidents (severity);
