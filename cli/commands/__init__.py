"""Subcommands of the `circle` command line, one module per area."""
