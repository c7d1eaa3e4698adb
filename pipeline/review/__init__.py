"""The review page (`incidents serve`) and the review actions it records.

fields, corrections   what may be corrected, and every action applied on top of clustering
store, database       actions and article texts in SQLite or PostgreSQL (`--db`)
actions               one reviewer's action: checked, stored, applied in one transaction
queries, views, charts  what the pages read and show
app, web, security, pages, api   the Starlette application, its checks and its routes
"""
