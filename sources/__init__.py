"""Source data (plans, reference dimensions, sample observations) and source clients."""
