"""Batch uploads of a partner's collection to Wikimedia Commons (DESIGN capability 8).

Pure parts: sheets, fields and pattypan (reading metadata), wikitext and licences (page text),
checks, sniffing, archives, exif and statements. The app: models (the batch and its per-file
ledger), services (every write), rows and storage (rows, files on disk), credentials (the
encrypted account), dryrun (the repeatable check), fetching (files named by URL), runner (the
crash-safe upload loop) and outcomes (the wiki's answers in words), tasks (queue entry points),
selectors, forms, views and sections (pages). docs/architecture.md says more.
"""
