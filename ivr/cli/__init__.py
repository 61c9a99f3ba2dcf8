"""`ivr`: the command lines. `main` parses and dispatches; one module per command group."""

from ivr.cli.main import main

__all__ = ["main"]
