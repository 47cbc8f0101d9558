"""Persistence adapters: TinyDB store, raw-mail archive, migrations and locks."""
