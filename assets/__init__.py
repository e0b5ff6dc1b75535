"""Dagster assets; each key mirrors the warehouse relation it writes (schema/table)."""
