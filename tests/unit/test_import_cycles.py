"""No module of ``bot/`` imports a module that imports it back (issue 15).

The graph holds top-level imports only (module body, including ``if``/``try`` blocks), as
Python runs them at import time; imports under ``if TYPE_CHECKING:`` are left out, since they
never run. A package's ``__init__`` reached implicitly by importing one of its submodules is
not an edge: only what a module's own import statements name.
"""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parents[2] / "bot"


def _module_names(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package at ``root``."""
    names: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _top_level_imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules that ``name`` imports when it is itself imported."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def target(module: str, imported: str) -> str | None:
        # ``from package import module`` names the submodule; otherwise the module itself.
        if f"{module}.{imported}" in modules:
            return f"{module}.{imported}"
        return module if module in modules else None

    def visit(statements: list[ast.stmt]) -> None:
        for statement in statements:
            if isinstance(statement, ast.If):
                if not _is_type_checking(statement.test):
                    visit(statement.body)
                visit(statement.orelse)
            elif isinstance(statement, ast.Try):
                visit(statement.body)
                for handler in statement.handlers:
                    visit(handler.body)
                visit(statement.orelse)
                visit(statement.finalbody)
            elif isinstance(statement, ast.Import):
                found.update(alias.name for alias in statement.names if alias.name in modules)
            elif isinstance(statement, ast.ImportFrom):
                if statement.level:
                    base = package.split(".")[: len(package.split(".")) - statement.level + 1]
                    module = ".".join(base + ([statement.module] if statement.module else []))
                else:
                    module = statement.module or ""
                for alias in statement.names:
                    imported = target(module, alias.name)
                    if imported is not None:
                        found.add(imported)

    visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)).body)
    found.discard(name)
    return found


def import_graph(root: Path) -> dict[str, set[str]]:
    modules = _module_names(root)
    return {name: _top_level_imports(name, path, modules) for name, path in modules.items()}


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected group of modules, as a path ``a -> b -> ... -> a``."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def connect(node: str) -> None:  # Tarjan's algorithm; the graph is a few hundred nodes
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                connect(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return [_cycle_in(group, graph) for group in groups]


def _cycle_in(group: set[str], graph: dict[str, set[str]]) -> list[str]:
    """The shortest cycle through the group's first module (breadth-first back to it)."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for other in sorted(graph[node] & group):
                if other == start:
                    return paths[node] + [start]
                if other not in paths:
                    paths[other] = paths[node] + [other]
                    following.append(other)
        frontier = following
    raise AssertionError(f"no cycle in {sorted(group)}")  # pragma: no cover


def test_no_module_of_bot_imports_a_module_that_imports_it_back() -> None:
    cycles = import_cycles(import_graph(BOT))
    assert not cycles, "import cycles in bot/ (move what both need to a module of its own):\n" + (
        "\n".join(" -> ".join(cycle) for cycle in cycles)
    )


def test_the_graph_sees_bot_imports() -> None:
    # Guards the check itself: a graph that lost its edges would find no cycle either.
    graph = import_graph(BOT)
    assert "bot.fake_telegram.models" in graph["bot.fake_telegram.server"]
    assert "bot.services.refusals" in graph["bot.services.responses"]
    # driver.py imports server.py only for type hints: not an edge.
    assert "bot.fake_telegram.server" not in graph["bot.fake_telegram.driver"]


def _package(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "pkg" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "pkg"


def test_a_cycle_is_named_module_by_module(tmp_path: Path) -> None:
    package = _package(
        tmp_path,
        {
            "__init__.py": "",
            "a.py": "from pkg import b\n",
            "b.py": "from .sub.c import thing\n",
            "sub/__init__.py": "",
            "sub/c.py": "try:\n    import pkg.a\nexcept ImportError:\n    pass\n",
        },
    )
    assert import_cycles(import_graph(package)) == [["pkg.a", "pkg.b", "pkg.sub.c", "pkg.a"]]


def test_imports_for_type_checking_and_inside_functions_are_not_cycles(tmp_path: Path) -> None:
    package = _package(
        tmp_path,
        {
            "__init__.py": "",
            "a.py": "from typing import TYPE_CHECKING\nfrom . import b\n"
            "if TYPE_CHECKING:\n    from .c import C\n",
            "b.py": "import typing\nif typing.TYPE_CHECKING:\n    from . import a\n",
            "c.py": "def later():\n    from . import a\n",
        },
    )
    assert import_cycles(import_graph(package)) == []
