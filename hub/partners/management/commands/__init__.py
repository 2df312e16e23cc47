"""Management commands of the partners app."""
