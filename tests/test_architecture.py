"""The layout of the code is the data flow (DESIGN "Architecture").

Imports go one way: cli → api → stages (intake, lifecycle, output) → layouts, store → forms →
core. Every import of every module counts, those inside functions too; a module may import
from its own floor or below, and the subpackages import one another without a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "fujimi_xl"

# the floor of each part of the package: a higher floor may import a lower one, never back
FLOORS = {
    "core": 0,
    "forms": 1,
    "layouts": 2,
    "store": 2,
    "intake": 3,
    "lifecycle": 3,
    "output": 3,
    "api": 4,
    # the shells and what only they use
    "cli": 5,
    "web": 5,
    "console": 5,
    "clicatalog": 5,
    "demo": 5,
    "__main__": 5,
    "__init__": 5,
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def part_of(module: str, is_root_init: bool = False) -> str:
    """The floor a module stands on: its subpackage, or the top-level module's own name."""
    if is_root_init:
        return "__init__"
    rest = module.split(".")[1:]
    return rest[0] if rest else "__init__"


def imported(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module) of every import of fujimi_xl in ``path``; ``from X import y``
    counts as X.y when y is a submodule."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("fujimi_xl")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target != "fujimi_xl" and not target.startswith("fujimi_xl."):
                continue
            for alias in node.names:
                sub = PACKAGE.parent.joinpath(*f"{target}.{alias.name}".split("."))
                is_module = sub.with_suffix(".py").is_file() or (sub / "__init__.py").is_file()
                found.append((node.lineno, f"{target}.{alias.name}" if is_module else target))
    return found


def edges() -> list[tuple[str, int, str, str, str]]:
    """(file, line, importer's part, imported module, its part) for every import."""
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        src = part_of(module_name(path), path == PACKAGE / "__init__.py")
        for line, target in imported(path):
            if target == "fujimi_xl":
                continue
            out.append((str(path.relative_to(PACKAGE.parent)), line, src, target,
                        part_of(target)))
    return out


def test_every_part_of_the_package_has_a_floor():
    parts = {part_of(module_name(p), p == PACKAGE / "__init__.py") for p in PACKAGE.rglob("*.py")}
    assert parts - set(FLOORS) == set(), "a new module or subpackage needs a floor in FLOORS"


def test_nothing_imports_from_a_floor_above_it():
    upward = [f"{file}:{line}: {src} imports {target} ({dst}, a higher floor)"
              for file, line, src, target, dst in edges() if FLOORS[dst] > FLOORS[src]]
    assert upward == [], "\n".join(upward)


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle of ``graph`` as a list of nodes (first == last), or []."""
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return []


def test_find_cycle_reports_the_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_among_the_subpackages():
    graph: dict[str, set[str]] = {}
    for _file, _line, src, _target, dst in edges():
        if src != dst:
            graph.setdefault(src, set()).add(dst)
    cycle = find_cycle(graph)
    assert cycle == [], "import cycle: " + " → ".join(cycle)


def test_the_shipped_layouts_come_from_the_registry():
    from fujimi_xl import layouts

    for name in ("list", "sheet"):
        layout = layouts.get(name)
        for stage in ("generate", "extract", "check", "feedback", "report"):
            assert callable(getattr(layout, stage)), (name, stage)


BENCH = PACKAGE.parent / "bench"


def _is_ours(module: str) -> bool:
    """A module of this project: fujimi_xl's, or a bench script imported by its bare name."""
    top = module.split(".")[0]
    return top == "fujimi_xl" or top == "bench" or (BENCH / f"{top}.py").is_file()


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_crossings(paths: list[Path]) -> list[str]:
    """Every use of another module's private name (leading underscore) in ``paths``:
    ``from m import _x``, ``m._x`` on an imported module of ours, and ``obj._x`` where ``_x``
    is an attribute (``self._x = …``) set only in some other module of ours."""
    trees = {p: ast.parse(p.read_text("utf-8")) for p in paths}
    own_attrs: dict[Path, set[str]] = {}
    for path, tree in trees.items():
        own_attrs[path] = {
            n.attr for n in ast.walk(tree)
            if isinstance(n, ast.Attribute) and isinstance(n.ctx, ast.Store)
            and isinstance(n.value, ast.Name) and n.value.id in ("self", "cls")
            and _private(n.attr)}
    found = []
    for path, tree in trees.items():
        where = path.relative_to(PACKAGE.parent) if path.is_relative_to(PACKAGE.parent) \
            else path.name
        others = set().union(*(a for p, a in own_attrs.items() if p != path)) - own_attrs[path]
        modules: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules |= {(a.asname or a.name.split(".")[0]) for a in node.names
                            if _is_ours(a.name)}
            elif isinstance(node, ast.ImportFrom) and (node.level or _is_ours(node.module or "")):
                for alias in node.names:
                    if _private(alias.name):
                        found.append(f"{where}:{node.lineno}: imports {alias.name} "
                                     f"from {node.module}")
                    else:
                        modules.add(alias.asname or alias.name)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute) or not _private(node.attr):
                continue
            if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                continue
            if isinstance(node.value, ast.Name) and node.value.id in modules:
                found.append(f"{where}:{node.lineno}: uses {node.value.id}.{node.attr}")
            elif node.attr in others:
                found.append(f"{where}:{node.lineno}: uses .{node.attr} of another module")
    return sorted(set(found))


def test_private_crossings_finds_each_kind(tmp_path):
    a = tmp_path / "a.py"
    a.write_text("class Book:\n    def __init__(self):\n        self._cache = {}\n", "utf-8")
    b = tmp_path / "b.py"
    b.write_text("from fujimi_xl.intake.package import _Clock, Source\n"
                 "from fujimi_xl.intake import ingest\n"
                 "import os\n"
                 "ingest._form('x', '.')\n"
                 "os._exit(0)\n"
                 "def f(book):\n    return book._cache\n", "utf-8")
    found = [line.split(": ", 1)[1] for line in private_crossings([a, b])]
    assert sorted(found) == ["imports _Clock from fujimi_xl.intake.package",
                             "uses ._cache of another module", "uses ingest._form"]


def test_no_private_name_crosses_a_module():
    paths = sorted([*PACKAGE.rglob("*.py"), *BENCH.glob("*.py")])
    found = private_crossings(paths)
    assert found == [], "a private name used outside its module (make it public):\n" + \
        "\n".join(found)


def test_no_import_cycle_among_the_modules_of_a_subpackage():
    """Inside a subpackage (core first) the modules import one another one way, those imports
    inside functions too: errors → messages, fiscal → errors, never back."""
    graphs: dict[str, dict[str, set[str]]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        src = module_name(path)
        part = part_of(src, path == PACKAGE / "__init__.py")
        for _line, target in imported(path):
            if target != src and part_of(target) == part and target.count(".") > 1:
                graphs.setdefault(part, {}).setdefault(src, set()).add(target)
    assert "core" in graphs
    cycles = {part: cycle for part, graph in graphs.items() if (cycle := find_cycle(graph))}
    assert cycles == {}, "\n".join(f"{p}: " + " → ".join(c) for p, c in cycles.items())
