"""Database layer: engines, portable column types, dialect-aware inserts, units of work."""
