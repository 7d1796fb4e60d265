"""Every way in that is not the action API or the web form: record files (JSON, JSON Lines, CSV), bulk
import and bulk load, synthetic records, and (later) harvesters. Each ends in the record's one validator
and CKAN's write path."""
