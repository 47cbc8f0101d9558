"""Pytest plugin: real mail servers on 127.0.0.1 (filled in by the mail-in work)."""
