-- news-incident-pipeline, PostgreSQL migration 003: indexes for the review list page's charts
-- and type filter (the same as SQLite's 003).
CREATE INDEX incidents_by_month_type ON incidents (date, incident_type);
CREATE INDEX incidents_by_type ON incidents (incident_type);
