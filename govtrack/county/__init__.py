"""The county file: export and all-or-nothing import of govtrack-county/1 documents.

One JSON document moves a county's agencies, people and committees in from
spreadsheets or another tool, backs them up, and carries them from SQLite to
PostgreSQL; see county-format.md and county.schema.json beside this package.
"""
