-- news-incident-pipeline, SQLite schema v1: the full record as JSON plus normalised tables.
CREATE TABLE IF NOT EXISTS incidents (
    id             TEXT PRIMARY KEY,
    linkid         TEXT NOT NULL,
    type           TEXT NOT NULL,
    incident_type  TEXT NOT NULL,
    date           TEXT NOT NULL,
    severity       INTEGER NOT NULL,
    impact         INTEGER NOT NULL,
    title          TEXT NOT NULL,
    attack_vector  TEXT NOT NULL,
    records_affected INTEGER,
    occurred       TEXT,
    discovered     TEXT,
    disclosed      TEXT,
    reported       TEXT,
    confidence     REAL NOT NULL,
    schema_version TEXT NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    record         TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sources (
    incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    article_id  TEXT NOT NULL,
    url         TEXT,
    title       TEXT,
    publisher   TEXT,
    published   TEXT,
    PRIMARY KEY (incident_id, article_id)
);
CREATE TABLE IF NOT EXISTS entities (
    incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    type        TEXT NOT NULL,
    industry    TEXT NOT NULL,
    PRIMARY KEY (incident_id, name)
);
CREATE TABLE IF NOT EXISTS actors (
    incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    attribution TEXT NOT NULL,
    aliases     TEXT NOT NULL,
    PRIMARY KEY (incident_id, name)
);
CREATE TABLE IF NOT EXISTS evidence (
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
CREATE INDEX IF NOT EXISTS entities_by_name ON entities(name);
CREATE INDEX IF NOT EXISTS actors_by_name ON actors(name);
CREATE INDEX IF NOT EXISTS sources_by_article ON sources(article_id);
-- Per-article records: what each article said on its own. Incidents are re-clustered from
-- all of them on every run, so adding articles one run at a time gives what one run gives.
CREATE TABLE IF NOT EXISTS article_records (
    article_id  TEXT PRIMARY KEY,
    record      TEXT NOT NULL
);
