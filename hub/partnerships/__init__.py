"""Partnerships: see shared/DESIGN.md."""
