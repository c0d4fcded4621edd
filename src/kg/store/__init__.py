"""The stores and the engine: where the dataset lives and how queries run on it.

Owns the query engine (:mod:`.engine`: Oxigraph, answers within limits), the pool of
killable query processes (:mod:`.pool`), the query scan in front of it (:mod:`.guard`),
accepted submissions on disk (:mod:`.submissions`), and the two stores that implement the
one typed interface (:mod:`.interface`): :mod:`.embedded` and :mod:`.remote`, chosen by
:func:`.factory.open_store`. May import the foundations and :mod:`kg.graph`; never the web
service or Flask.
"""
