"""perfeval's import graph has no cycle, and no module of perfeval/ is over 500 lines.

The graph is built from the source (ast), with every import: at module level and inside functions (a deferred
import still ties the two modules together). ``from package import name`` depends on the submodule ``name``, or
on the package's ``__init__`` when ``name`` is not a submodule. The implicit import of a module's parent
packages is not counted (a package that imports its own submodules would always make a cycle).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "perfeval"
MAX_LINES = 500

# Known exceptions: none. A cycle or a long module that must stay a while is named here, with why.
CYCLES_ALLOWED: set[frozenset[str]] = set()
LONG_MODULES_ALLOWED: set[str] = set()


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The perfeval modules ``name`` (at ``path``) imports, anywhere in its code."""
    is_package = path.name == "__init__.py"
    found = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(n) for block in ast.walk(tree) if _is_type_checking(block) for n in ast.walk(block)}
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".") if is_package else name.split(".")[:-1]
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:  # a submodule, or a name the package's __init__ holds
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return {m for m in found if m in known and m != name}


def _is_type_checking(node: ast.AST) -> bool:
    """An ``if TYPE_CHECKING:`` block (``typing.TYPE_CHECKING`` too)."""
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def import_graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports_of(name, path, set(found)) for name, path in found.items()}


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan), each a set of modules."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(component)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_graph_sees_deferred_and_relative_imports():
    graph = import_graph()
    assert "perfeval.reader" in graph["perfeval.pipeline"]  # imported inside a function
    assert "perfeval.cells" in graph["perfeval.reader.workbook"]  # from ..cells import …
    assert "perfeval.checks.info" in graph["perfeval.checks"]  # from . import info, …
    assert "perfeval.render.fastdocx" in graph["perfeval.render.report"]  # from . import …, fastdocx, …


def test_there_is_no_import_cycle():
    found = [c for c in cycles(import_graph()) if frozenset(c) not in CYCLES_ALLOWED]
    assert found == [], "import cycles: " + "; ".join(" ↔ ".join(sorted(c)) for c in found)


def test_no_module_is_over_500_lines():
    lengths = {path.relative_to(PACKAGE.parent).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
               for path in modules().values()}
    long = {name: n for name, n in lengths.items() if n > MAX_LINES and name not in LONG_MODULES_ALLOWED}
    assert long == {}, f"modules over {MAX_LINES} lines: {long}"


def test_the_allowlists_hold_only_what_still_needs_them():
    """An exception that is no longer needed leaves its list (the lists are emptied as the work lands)."""
    graph = import_graph()
    assert {c for c in CYCLES_ALLOWED if c in {frozenset(x) for x in cycles(graph)}} == CYCLES_ALLOWED
    lengths = {path.relative_to(PACKAGE.parent).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
               for path in modules().values()}
    assert {name for name in LONG_MODULES_ALLOWED if lengths.get(name, 0) > MAX_LINES} == LONG_MODULES_ALLOWED
