"""Department submissions: templates, reading, parsing and checking spreadsheets."""
