"""Harvesting partner portals on ckanext-harvest's model (sources, jobs, objects, queues, pages, CLI).

Each source type is a module that lists a source as pages of :class:`listing.Sighting` (one upstream record, already
mapped to a CKAN dataset dict); the engine (``engine.py``) decides by content hash what is new, changed, unchanged
or gone, and writes through the record's one validation and write path, keeping provenance per (source, guid).
"""
