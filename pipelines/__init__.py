"""Dagster code location: definitions, jobs, schedules and resources."""
