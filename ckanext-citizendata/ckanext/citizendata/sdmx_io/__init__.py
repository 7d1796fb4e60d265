"""SKOS-derived item schemes as SDMX structure messages. All but :mod:`.registry_schemes` are pure (no CKAN, no
database).

- :mod:`.structures`: the in-memory :class:`~.structures.Scheme` / :class:`~.structures.Item`
  and :func:`~.structures.sdmx_id`;
- :mod:`.writer`: SDMX-ML 3.0 / SDMX-JSON 2.0 (pysdmx) and SDMX-ML 2.1 (sdmx1) messages, and
  SDMX error messages;
- :mod:`.rest`: SDMX REST v2 path semantics (``*``, ``~``/``latest``, ``+``, comma lists) and
  content negotiation;
- :mod:`.registry_schemes`: the vocabulary registry's schemes as such structures (the one module that reads
  the database).

Example::

    from ckanext.citizendata.sdmx_io import rest, writer

    fmt = rest.negotiate(request.headers.get("Accept"), request.args.get("format"))
    found = rest.select(schemes, "IAEG-SDGs", "CL_SEX", "latest", kind="codelist")
    body, media_type = (writer.write_structure(found, fmt) if found
                        else writer.write_error(404, "No such code list", fmt))
"""
