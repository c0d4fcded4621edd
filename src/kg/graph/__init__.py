"""The graph and its build: documents and their facts become one validated dataset.

Owns reading RDF offline (:mod:`.parsing`), assembling the named graphs and the derived
``kg:year`` (:mod:`.dataset`), the places' names in other languages (:mod:`.labels`), the
schema.org view (:mod:`.alignment`), the SHACL and verbatim-quote checks (:mod:`.validate`) and the
build that ties them together (:mod:`.build`). May import only the foundations
(:mod:`kg.config`, :mod:`kg.errors`, :mod:`kg.namespaces`, :mod:`kg.formats`): never the
store, the web service or Flask.
"""
