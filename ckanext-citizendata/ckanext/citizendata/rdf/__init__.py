"""RDF: namespaces (defined once), and later the ckanext-dcat profile."""
