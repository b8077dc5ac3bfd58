"""SQLite database backend whose writers queue on a lock instead of polling (see base)."""
