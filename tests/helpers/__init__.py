"""Helpers that tests import: builders of test data, and ways to drive the app. Fixtures
stay in the ``conftest.py`` files; anything a test module imports by name lives here."""
