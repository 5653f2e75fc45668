"""Rules of the office directory: opening hours and their exceptions (pure Python)."""
