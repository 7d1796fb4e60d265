"""Search: one interface, backends as plugins (entry points), the seam into CKAN."""
