"""Open311 GeoReport v2 at ``/open311/v2/``: the category catalog as services,
work orders as service requests, in JSON and XML, so that existing GeoReport
v2 clients work against Shequ unchanged (``docs/open311.md``).

Writes go through ``workorder_create``, reads through the work-order
selectors, so an integration sees and changes exactly what its account may.
"""
