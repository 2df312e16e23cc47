"""The W3C Reconciliation Service API over one affiliate's partner directory (for OpenRefine)."""
