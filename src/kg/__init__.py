"""A knowledge graph of cultural and humanitarian cooperation between Central Asia and Japan."""

__version__ = "0.1.0"
