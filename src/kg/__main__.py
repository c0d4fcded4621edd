"""``python -m kg``: the ``kg`` command, for where the console script is not on the PATH."""

from __future__ import annotations

from kg.launcher import main

if __name__ == "__main__":  # not in the processes the server spawns: see kg.launcher
    main()
