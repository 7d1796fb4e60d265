"""The standards registry: SKOS concept schemes (vocabularies/*.ttl), their integrity rules, loading and serving."""
