"""Helper scripts for the fault-injection tests (run as subprocesses, then SIGKILLed)."""
