"""The command line and the headless daemon: a composition root with no Textual in it."""
