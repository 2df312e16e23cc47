"""Batch uploads of a partner's collection to Wikimedia Commons (DESIGN capability 8).

sheets and pattypan (reading metadata), wikitext (page text), checks (validation that needs no
wiki), models (the batch and its per-file ledger), services (every write), runner (the
crash-safe upload loop), tasks (queue entry points), views.
"""
