"""Validation with Great Expectations: suites as JSON data in expectations/, one batch per suite."""
