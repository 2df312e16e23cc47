"""The only package that talks HTTP to Wikimedia wikis (or any MediaWiki)."""
