"""A knowledge graph of cultural and humanitarian cooperation between Central Asia and Japan.

The package reads in the direction the data flows (docs/architecture.md draws it):

- foundations, imported by everything and importing nothing else of ours:
  :mod:`kg.config` (the settings table), :mod:`kg.errors`, :mod:`kg.namespaces`,
  :mod:`kg.formats` (media types and negotiation);
- :mod:`kg.graph`: documents and their facts become one validated dataset (``kg build``);
- :mod:`kg.store`: where the dataset lives and how queries run, behind one typed interface;
- :mod:`kg.web`: the HTTP service (``create_app``), reading the data only through the store;
- :mod:`kg.cli`: the ``kg`` command, on top of all of them.

Each layer imports only the layers listed before it.
"""

__version__ = "0.2.0"
