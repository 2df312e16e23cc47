"""Partner organisations, contact people, interactions, de-duplication, import and export."""
