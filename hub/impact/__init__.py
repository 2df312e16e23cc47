"""Impact: see shared/DESIGN.md."""
