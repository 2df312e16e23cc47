"""Management commands of the partnerships app."""
