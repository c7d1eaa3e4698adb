-- news-incident-pipeline, SQLite migration 003: indexes that let the review list page count and
-- chart 100,000 incidents from indexes alone (the table rows hold the full JSON record).
CREATE INDEX incidents_by_month_type ON incidents(date, incident_type);
CREATE INDEX incidents_by_type ON incidents(incident_type);
