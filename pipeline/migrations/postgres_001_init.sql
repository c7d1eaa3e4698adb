-- news-incident-pipeline, PostgreSQL migration 001: the SQLite schema v1 in PostgreSQL types.
-- The full record is JSONB (queryable with ->, ->> and @>); the tables beside it are
-- normalised for joins. Applied once by pipeline.postgres.migrate and recorded in
-- schema_migrations.
CREATE TABLE incidents (
    id               TEXT PRIMARY KEY,
    linkid           TEXT NOT NULL,
    type             TEXT NOT NULL,
    incident_type    TEXT NOT NULL,
    date             TEXT NOT NULL,
    severity         INTEGER NOT NULL,
    impact           INTEGER NOT NULL,
    title            TEXT NOT NULL,
    attack_vector    TEXT NOT NULL,
    records_affected BIGINT,
    occurred         TEXT,
    discovered       TEXT,
    disclosed        TEXT,
    reported         TEXT,
    confidence       DOUBLE PRECISION NOT NULL,
    schema_version   TEXT NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1,
    record           JSONB NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE TABLE sources (
    incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    article_id  TEXT NOT NULL,
    url         TEXT,
    title       TEXT,
    publisher   TEXT,
    published   TEXT,
    PRIMARY KEY (incident_id, article_id)
);
CREATE TABLE entities (
    incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    type        TEXT NOT NULL,
    industry    TEXT NOT NULL,
    PRIMARY KEY (incident_id, name)
);
CREATE TABLE actors (
    incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    attribution TEXT NOT NULL,
    aliases     JSONB NOT NULL,
    PRIMARY KEY (incident_id, name)
);
CREATE TABLE evidence (
    incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    field       TEXT NOT NULL,
    value       TEXT NOT NULL,
    article_id  TEXT NOT NULL,
    start       INTEGER NOT NULL,
    "end"       INTEGER NOT NULL,
    sentence    TEXT NOT NULL,
    extractor   TEXT NOT NULL,
    PRIMARY KEY (incident_id, seq)
);
CREATE INDEX entities_by_name ON entities (name);
CREATE INDEX actors_by_name ON actors (name);
CREATE INDEX sources_by_article ON sources (article_id);
CREATE INDEX incidents_record ON incidents USING GIN (record jsonb_path_ops);
-- Per-article records: what each article said on its own. Incidents are re-clustered from
-- all of them on every run, so adding articles one run at a time gives what one run gives.
CREATE TABLE article_records (
    article_id TEXT PRIMARY KEY,
    record     JSONB NOT NULL
);
