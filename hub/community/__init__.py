"""Community: see shared/DESIGN.md."""
