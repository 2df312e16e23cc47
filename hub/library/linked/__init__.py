"""The linked-data export: RDF, QuickStatements and the Metabase dry run (docs/linked-data.md)."""
