"""The package's layout is its architecture (docs/architecture.md): data and control flow one
way, foundations -> graph -> store -> web -> cli, with no import circle and no import hidden
inside a function to dodge one."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

import kg

PACKAGE = Path(kg.__file__).parent
#: Each layer may import the layers before it, never those after it.
LAYERS = ("foundation", "graph", "store", "assist", "web", "cli", "launcher")
#: Modules that import inside a function, and why: the console script's launcher imports the
#: command only when run, so that spawned processes do not load the package (kg/launcher.py).
LATE_IMPORTS = {"kg.launcher"}
FOUNDATIONS = {"kg", "kg.config", "kg.errors", "kg.namespaces", "kg.formats"}
MODULES = sorted(PACKAGE.rglob("*.py"))


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


#: `python -m kg`, an entry point like the console script's launcher, which it calls.
ENTRY_POINTS = {"kg.__main__": "launcher"}


def layer(module: str) -> str:
    if module in FOUNDATIONS:
        return "foundation"
    if module in ENTRY_POINTS:
        return ENTRY_POINTS[module]
    return module.split(".")[1]


def imports(path: Path) -> list[tuple[str, ast.AST]]:
    """Every module of ours a file imports, resolved, with the node that imports it."""
    tree = ast.parse(path.read_text("utf-8"))
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] == "kg":
                names = [f"{target}.{a.name}" for a in node.names]
                found += [(n if _is_module(n) else target, node) for n in names]
        elif isinstance(node, ast.Import):
            found += [(a.name, node) for a in node.names if a.name.split(".")[0] == "kg"]
    return found


def _is_module(name: str) -> bool:
    relative = Path(*name.split(".")[1:])
    return (PACKAGE / relative).with_suffix(".py").is_file() or (PACKAGE / relative).is_dir()


@pytest.mark.parametrize("path", MODULES, ids=module_name)
def test_each_layer_imports_only_the_layers_before_it(path: Path) -> None:
    own = LAYERS.index(layer(module_name(path)))
    for target, node in imports(path):
        assert LAYERS.index(layer(target)) <= own, (
            f"{module_name(path)} (layer {layer(module_name(path))}) imports {target} "
            f"(layer {layer(target)}) on line {getattr(node, 'lineno', '?')}"
        )


@pytest.mark.parametrize("path", MODULES, ids=module_name)
def test_no_import_inside_a_function(path: Path) -> None:
    if module_name(path) in LATE_IMPORTS:
        return
    tree = ast.parse(path.read_text("utf-8"))
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(function):
                assert not isinstance(node, ast.Import | ast.ImportFrom), (
                    f"{module_name(path)} imports inside {function.name}() on line {node.lineno}"
                )


#: A worker's handler named by a string, imported by name in the worker process only
#: (kg.store.pool.resolve), so that the process starting the pool never loads it.
HANDLER_NAME = re.compile(r"kg(?:\.\w+)+:\w+")


def named_handlers(path: Path) -> list[tuple[str, str, int]]:
    """Every handler a module names as "kg.package.module:function": module, function, line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if HANDLER_NAME.fullmatch(node.value):
                module, _, function = node.value.partition(":")
                found.append((module, function, node.lineno))
    return found


@pytest.mark.parametrize("path", MODULES, ids=module_name)
def test_a_handler_named_by_a_string_keeps_the_layers(path: Path) -> None:
    """Naming a handler is an import the import rules cannot see: it must name a function of
    one of our modules, of a layer the naming module may import (the web names the
    assistant's drafting handler, kg.assist.worker:draft; the store names nothing above it)."""
    own = LAYERS.index(layer(module_name(path)))
    for module, function, line in named_handlers(path):
        target = PACKAGE.parent / Path(*module.split(".")).with_suffix(".py")
        assert target.is_file(), f"{module_name(path)} line {line} names no module {module}"
        defined = {
            n.name
            for n in ast.parse(target.read_text("utf-8")).body
            if isinstance(n, ast.FunctionDef)
        }
        assert function in defined, f"{module_name(path)} line {line}: {module} has no {function}"
        assert LAYERS.index(layer(module)) <= own, (
            f"{module_name(path)} (layer {layer(module_name(path))}) names {module}:{function} "
            f"(layer {layer(module)}) on line {line}"
        )


def test_no_import_circle() -> None:
    graph = {module_name(p): {t for t, _ in imports(p)} for p in MODULES}
    visiting: list[str] = []
    done: set[str] = set()

    def visit(module: str) -> None:
        if module in done:
            return
        assert module not in visiting, " -> ".join(visiting[visiting.index(module) :] + [module])
        visiting.append(module)
        for target in sorted(graph.get(module, ())):
            visit(target)
        visiting.pop()
        done.add(module)

    for module in sorted(graph):
        visit(module)


def test_each_folder_says_what_it_owns_and_may_import() -> None:
    for folder in ("graph", "store", "web", "cli"):
        doc = ast.get_docstring(ast.parse((PACKAGE / folder / "__init__.py").read_text("utf-8")))
        assert doc and "import" in doc, f"kg/{folder}/__init__.py does not say what it may import"


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_names(requirements: list[str]) -> set[str]:
    return {_normal(re.split(r"[\s<>=!~;\[(]", r, maxsplit=1)[0]) for r in requirements}


def test_every_library_the_package_imports_is_a_dependency() -> None:
    """A fresh `pip install .` (what `make run` does) has everything the package imports: a
    declared dependency, or a requirement of one (Flask brings Werkzeug)."""
    project = tomllib.loads((PACKAGE.parents[1] / "pyproject.toml").read_text("utf-8"))
    declared = _requirement_names(project["project"]["dependencies"])
    allowed = set(declared)
    for name in declared:
        allowed |= _requirement_names(metadata.requires(name) or [])
    distributions = metadata.packages_distributions()
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                tops = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                tops = [node.module.split(".")[0]]
            else:
                continue
            for top in tops:
                if top in sys.stdlib_module_names or top == "kg":
                    continue
                names = {_normal(d) for d in distributions.get(top, [top])}
                assert names & allowed, (
                    f"{module_name(path)} imports {top} (line {node.lineno}), which is not "
                    "in pyproject.toml's dependencies"
                )
