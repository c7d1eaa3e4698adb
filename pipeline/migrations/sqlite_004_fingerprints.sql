-- news-incident-pipeline, SQLite migration 004: the fingerprint (SHA-256) of the text each stored
-- article was read from, so a later batch giving its id to another text is told apart
-- (pipeline/ids.py) instead of replacing it.
CREATE TABLE IF NOT EXISTS article_fingerprints (
    article_id  TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL
);
