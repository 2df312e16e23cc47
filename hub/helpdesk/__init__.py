"""Helpdesk: see shared/DESIGN.md."""
