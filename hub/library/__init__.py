"""The library and showcase (DESIGN capability 7): case studies, templates, guidelines, search.

models (resources, case studies, facet rows), vocabulary (topics and facet names), files
(checking an upload by its bytes), extraction (text and first-page previews, run as tasks),
services (every write), selectors (what a viewer may see), search (one selector over FTS5 or
PostgreSQL full-text), views.
"""
