"""The ``kg`` console script's entry point, kept light on purpose.

The processes the server starts (query, validation and drafting processes) are spawned: each
imports the running script again, as ``__mp_main__``. Were the script to import :mod:`kg.cli`,
every one of them would load the whole package, the web app and the assistant's spaCy with it,
which costs start-up time and counts against each query process's memory cap
(``QUERY_MEMORY_MB``): at 400 MB Oxigraph could no longer allocate. So the command is imported
only when the script runs as the command.
"""

from __future__ import annotations


def main() -> None:
    from kg.cli import main as command  # here, not above: see the module's docstring

    command()


if __name__ == "__main__":  # python -m kg.launcher
    main()
