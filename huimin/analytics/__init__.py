"""Analytics: the pseudonymised Parquet export (`huimin export parquet`) and the same
SQL run over it in DuckDB (`huimin analytics review`); docs/analytics.md."""
