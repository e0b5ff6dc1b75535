"""National statistics: the statistics office's PX-Web database and the World Bank API."""
