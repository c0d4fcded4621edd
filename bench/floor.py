"""The floor under our endpoint's fixed cost: Flask on waitress, with our server's waitress
settings, answering every request with one fixed SPARQL JSON result and doing nothing else
(no store, no query process, no limits, no log). `bench/overhead.py` measures it beside our
server: what ours takes beyond it is what our own code and the query process add.

    .venv/bin/python bench/floor.py PORT [BODY_FILE]
"""

from __future__ import annotations

import sys
from pathlib import Path

from flask import Flask, Response
from waitress import serve

from kg import config
from kg.web.server import server_options

#: the one-row lookup's answer, as our endpoint writes it
ONE_ROW = (
    b'{"head":{"vars":["label"]},"results":{"bindings":[{"label":'
    b'{"type":"literal","value":"Event 42"}}]}}'
)


def app(body: bytes) -> Flask:
    flask = Flask(__name__)

    @flask.route("/sparql", methods=["GET", "POST"])
    def sparql() -> Response:
        return Response(body, mimetype="application/sparql-results+json")

    return flask


def main() -> None:
    port = int(sys.argv[1])
    body = Path(sys.argv[2]).read_bytes() if len(sys.argv) > 2 else ONE_ROW
    options = server_options({**config.load(), "HOST": "127.0.0.1", "PORT": port})
    serve(app(body), **options)


if __name__ == "__main__":
    main()
