"""Browser tests: Playwright driving Debian chromium."""
