"""The composition root: command line and the Textual app."""
