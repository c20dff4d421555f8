"""Subcommands of `sesame`, one module each."""
