"""Settings: one table of every setting, its default and what it is for.

Values come from the defaults below, then environment variables ``KG_<NAME>``, then
explicit overrides (command-line flags or a test's config), the last one winning.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import KgError

#: The checkout this package was installed from (an editable install keeps data beside it).
PROJECT_ROOT = Path(__file__).resolve().parents[2]


class ConfigError(KgError):
    """A settings file that cannot be read."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    at_least: float | None = None  # the least value a number may take
    at_most: float | None = None  # and the most


#: The longest a deadline may be: past threading's longest wait, a reader waiting for a page
#: got a 500 (OverflowError).
DAY = 86_400

SETTINGS: tuple[Setting, ...] = (
    Setting("DATA_DIR", "data", "Folder of the source documents (*.txt) and their facts (*.ttl)."),
    Setting("ONTOLOGY_DIR", "ontology", "Folder of the ontology (*.ttl)."),
    Setting("SHAPES_DIR", "shapes", "Folder of the SHACL shapes (*.ttl)."),
    Setting("BUILD_DIR", "build", "Where `kg build` writes the dataset (TriG and N-Quads)."),
    Setting("BASE_IRI", "https://w3id.org/cakg/", "Canonical base IRI of what the graph mints."),
    Setting("HOST", "127.0.0.1", "Address `kg serve` listens on (loopback by default)."),
    Setting("PORT", 8080, "Port `kg serve` listens on."),
    Setting("HTTP_THREADS", 32, "Threads of the web server: how many requests it handles at once."),
    Setting("MAX_CONNECTIONS", 200, "Open connections the web server accepts at once."),
    Setting("IDLE_TIMEOUT_S", 60, "Seconds a connection may send nothing before it is closed."),
    Setting(
        "TRUSTED_PROXY",
        "",
        "Address of a reverse proxy whose X-Forwarded-For names the client; empty: none.",
    ),
    Setting("QUERY_WORKERS", 2, "Query processes, each holding the dataset in memory."),
    Setting(
        "QUERY_MEMORY_MB",
        4096,
        "Address space a query may take in MB, beyond the dataset its process holds (past it, "
        "the query gets 503); 0: no cap.",
    ),
    Setting(
        "QUERY_FORK",
        True,
        "Load the dataset once in a fork server and fork the query processes from it: a "
        "killed process is replaced in milliseconds, not by a load (Linux with pidfd; "
        "elsewhere, and when false, each query process loads the dataset: docs/memory.md).",
    ),
    Setting(
        "QUERY_PRIVATE_SHARE",
        0.5,
        "With QUERY_FORK: a query process whose own memory (pages of the data it copied by "
        "reading them, and what it allocated) passes this share of the fork server's is "
        "replaced after its answer; 0: never (docs/memory.md).",
    ),
    Setting(
        "QUERY_MEMORY_MERGE",
        True,
        "With QUERY_FORK: let Linux KSM merge the pages a query process copied by reading them "
        "back with the fork server's; only where the operator runs KSM "
        "(/sys/kernel/mm/ksm/run is 1; docs/memory.md).",
    ),
    Setting(
        "QUERY_PRIVATE_MB",
        0,
        "With QUERY_FORK: the same limit in MB, over QUERY_PRIVATE_SHARE; 0: use the share.",
    ),
    Setting(
        "QUERY_TIMEOUT_S",
        10.0,
        "Longest a query may run before it is stopped (503).",
        at_least=0.001,
        at_most=DAY,
    ),
    Setting(
        "MIN_CLIENT_TIMEOUT_S",
        1.0,
        "Shortest deadline a client's timeout parameter sets (a shorter one is raised to it).",
    ),
    Setting("QUEUE_TIMEOUT_S", 5.0, "Longest a query waits for a free query process (then 503)."),
    Setting("MAX_ROWS", 100000, "Most rows (or triples) a result may have (more: 422)."),
    Setting("MAX_RESULT_BYTES", 50000000, "Largest result body in bytes (larger: 422)."),
    Setting(
        "RESULT_CACHE_BYTES",
        64000000,
        "Memory the cache of answers to repeated queries may hold, in bytes; 0: no cache.",
    ),
    Setting("SPARQL_MAX_AGE_S", 0, "max-age of the Cache-Control a GET answer of /sparql carries."),
    Setting("MAX_QUERY_BYTES", 100000, "Largest query or request body in bytes (larger: 413)."),
    Setting("MAX_QUERY_DEPTH", 64, "Deepest nesting of brackets and braces in a query (400)."),
    Setting("MAX_CONCURRENT_PER_CLIENT", 4, "Queries one client address may run at once (429)."),
    Setting(
        "QUERY_WORKERS_PER_CLIENT",
        0,
        "Query processes one client address may hold at once (429); 0: all but one, at least 1.",
    ),
    Setting(
        "QUERY_SECONDS_PER_MINUTE",
        30.0,
        "Seconds of query processing one client address may use in a minute (429); 0: off.",
    ),
    Setting(
        "CRASHES_PER_CLIENT",
        3,
        "Query processes one client's queries may kill in a minute before it gets 429; 0: off.",
    ),
    Setting("ALLOWED_SERVICE_PREFIXES", "", "Space-separated IRI prefixes SERVICE may call."),
    Setting("QUERY_LOG", "", "File of the JSON-lines query log; empty: standard error."),
    Setting("VAR_DIR", "var", "Where the server keeps what it writes: accepted submissions."),
    Setting(
        "DRAFTS_DIR",
        "drafts",
        "Where `kg extract` writes drafts for review: never served, never in the graph.",
    ),
    Setting(
        "DRAFTS_MAX_AGE_S",
        604800,
        "Seconds the review page keeps a draft (VAR_DIR/drafts) before removing it; 0: for ever.",
    ),
    Setting(
        "EXTRACT_MAX_BYTES", 1048576, "Largest article `kg extract` reads, in bytes (more: exit 2)."
    ),
    Setting(
        "EXTRACT_TIMEOUT_S",
        60.0,
        "Longest the review page's drafting of an article may run before it is stopped (503).",
    ),
    Setting("CURATOR_TOKENS", "", "Curators' bearer tokens, `name=token` separated by spaces."),
    Setting("CURATOR_TOKENS_FILE", "", "File of curators' tokens, one `name=token` a line."),
    Setting("MAX_SUBMISSION_BYTES", 2000000, "Largest submission or validation body (413)."),
    Setting("MAX_SUBMISSION_TRIPLES", 10000, "Most triples a submission or validation may hold."),
    Setting(
        "FOREIGN_STATEMENTS",
        False,
        "Take added statements in other vocabularies, about things no shape checks (to host other "
        "data, such as the W3C protocol suites'); off, each must fall under the shapes.",
    ),
    Setting("VALIDATION_WORKERS", 1, "Processes that parse and validate additions."),
    Setting(
        "VALIDATION_SECONDS_PER_MINUTE",
        30.0,
        "Seconds of validation one client address may use in a minute on /validate without a "
        "curator's token (429); 0: off.",
    ),
    Setting(
        "VALIDATION_TIMEOUT_S", 60.0, "Longest a validation may run before it is stopped (503)."
    ),
    Setting(
        "VALIDATION_MEMORY_MB",
        2048,
        "Address space a validation may take in MB, beyond what its process holds when it "
        "has started (past it: 503); 0: no cap.",
    ),
    Setting("WRITE_RATE_PER_MINUTE", 30, "Writes one curator may make per minute (429)."),
    Setting("STORE_URL", "", "SPARQL query endpoint of a remote store; empty: the embedded store."),
    Setting(
        "STORE_UPDATE_URL", "", "SPARQL update endpoint of the remote store (default: STORE_URL)."
    ),
    Setting("STORE_GSP_URL", "", "Graph Store protocol endpoint of the remote store."),
    Setting("STORE_USER", "", "User name for the remote store (see STORE_AUTH)."),
    Setting("STORE_PASSWORD", "", "Password for the remote store."),
    Setting("STORE_AUTH", "basic", "HTTP authentication the store asks for: basic or digest."),
    Setting(
        "STORE_RESULTS",
        "tsv",
        "Results format asked of the store: tsv (fastest), or json where its TSV is not W3C's.",
    ),
    Setting("STORE_LOAD_TIMEOUT_S", 600, "Seconds `kg load` waits for the store to take a graph."),
    Setting(
        "WRITE_LEASE_S",
        120.0,
        "Remote store: seconds a copy's write lease may stay unchanged before another copy takes "
        "it to be a dead copy's and breaks it (more than VALIDATION_TIMEOUT_S and a write).",
    ),
    Setting("EXAMPLES_DIR", "tests/cq", "Example queries (*.rq) shown on the query page."),
    Setting(
        "PAGE_ITEMS",
        200,
        "Most things a page lists or draws at once (events on the timeline, cities on the map, "
        "a list of the home page, links to an entity); the rest are counted, and paged or "
        "linked to the query that lists them all.",
        at_least=1,
    ),
    Setting(
        "PAGE_TIMEOUT_S",
        10.0,
        "Longest a page may take to gather its data, over all its queries (then 503).",
        at_least=0.000001,
        at_most=DAY,
    ),
    Setting(
        "JSONLD_COMPACT_TRIPLES",
        2000,
        "Largest description (in triples) answered as JSON-LD compacted with our context "
        "(`@context`, written by rdflib in the web process: 0.15 s at 2,000 triples); a larger "
        "one is answered as expanded JSON-LD of the same triples, written in native code.",
    ),
)

PATH_SETTINGS = frozenset(
    {"DATA_DIR", "ONTOLOGY_DIR", "SHAPES_DIR", "BUILD_DIR", "EXAMPLES_DIR", "VAR_DIR", "DRAFTS_DIR"}
)
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _coerce(raw: str, default: Any, where: str) -> Any:
    """Turn an environment string into the type of the setting's default, or say what is
    wrong with it (a switch that is neither on nor off is not quietly off)."""
    text = raw.strip().lower()
    try:
        if isinstance(default, bool):
            if text not in _TRUE | _FALSE:
                raise ValueError
            return text in _TRUE
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
    except ValueError:
        raise ConfigError(f"{where}: {raw!r} is not {_kind(default)}") from None
    return raw


def _checked(value: Any, default: Any, where: str) -> Any:
    """A settings file's value, if it is of its setting's type (an integer will do for a
    number of seconds)."""
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(default, float):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    else:
        ok = isinstance(value, str)
    if not ok:
        raise ConfigError(f"{where}: {value!r} is not {_kind(default)}")
    return float(value) if isinstance(default, float) else value


def _in_range(setting: Setting, value: Any, where: str) -> None:
    """A number outside its setting's range is refused: PAGE_ITEMS=0 drew a map of no city
    (a 500) and pages of nothing; so is one that is not finite (a deadline of nan was none)."""
    least, most = setting.at_least, setting.at_most
    if least is None and most is None:
        return
    try:
        inside = math.isfinite(value) and (least is None or value >= least)
        inside = inside and (most is None or value <= most)
    except (OverflowError, TypeError):  # an integer too large for a float, or not a number
        inside = False
    if not inside:
        span = f"from {least:g}" + (f" to {most:g}" if most is not None else " up")
        raise ConfigError(f"{where}: {str(value)[:40]!r} must be a number {span}")


def _kind(default: Any) -> str:
    if isinstance(default, bool):
        return "true or false"
    if isinstance(default, int):
        return "a whole number"
    if isinstance(default, float):
        return "a number"
    return "text"


def read_file(path: Path) -> dict[str, Any]:
    """Read a TOML settings file: ``QUERY_TIMEOUT_S = 5`` (names as in the table)."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such settings file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    known = {s.name for s in SETTINGS}
    values = {str(k).upper(): v for k, v in data.items()}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConfigError(f"{path}: unknown setting {unknown[0]}; see `kg settings`")
    return values


def load(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Return every setting: defaults, then the settings file (``KG_CONFIG``), then ``KG_*``
    environment variables, then overrides (flags, or a test's config)."""
    file_values: dict[str, Any] = {}
    config_file = (overrides or {}).get("CONFIG") or os.environ.get("KG_CONFIG")
    if config_file:
        file_values = read_file(Path(config_file))
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        value = setting.default
        if setting.name in file_values:
            where = f"{config_file}: {setting.name}"
            value = _checked(file_values[setting.name], setting.default, where)
        env = os.environ.get(f"KG_{setting.name}")
        if env is not None:
            value = _coerce(env, setting.default, f"KG_{setting.name}")
        values[setting.name] = value
    values.update({k: v for k, v in (overrides or {}).items() if v is not None and k != "CONFIG"})
    for setting in SETTINGS:
        where = f"KG_{setting.name}" if f"KG_{setting.name}" in os.environ else setting.name
        if setting.name in file_values and where == setting.name:
            where = f"{config_file}: {setting.name}"
        _in_range(setting, values[setting.name], where)
    for name in PATH_SETTINGS:
        path = Path(values[name])
        values[name] = path if path.is_absolute() else PROJECT_ROOT / path
    return values
