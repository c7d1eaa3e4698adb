-- news-incident-pipeline, `incidents follow` state v2: hosts that asked (Retry-After) to be left
-- alone until a time past the end of a run; the next runs neither poll nor fetch from them before it.
CREATE TABLE IF NOT EXISTS hosts (
    origin      TEXT PRIMARY KEY,   -- scheme://host[:port]
    retry_after TEXT NOT NULL       -- ISO 8601 UTC
);
