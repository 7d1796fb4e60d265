"""The package's shape: layers without circles (the import-linter contract in .importlinter), every module
importable, imports at the top of modules (a function-level import only where a cycle with CKAN forces it, with a
``# cycle:`` comment saying which), and no import cycle between any two modules."""
import ast
import importlib
import pathlib
import pkgutil
import subprocess
import sys

import grimp

import ckanext.citizendata

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGE = pathlib.Path(ckanext.citizendata.__file__).parent
NAME = "ckanext.citizendata"


def test_the_layers_contract_is_kept():
    lint = pathlib.Path(sys.executable).parent / "lint-imports"
    proc = subprocess.run([str(lint), "--config", str(ROOT / ".importlinter"), "--no-cache"],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 broken" in proc.stdout


def test_every_module_imports():
    """import-linter reads imports as text; a module whose import does not resolve would escape it."""
    names = [m.name for m in pkgutil.walk_packages([str(PACKAGE)], prefix=NAME + ".")
             if ".migration." not in m.name]
    assert len(names) > 50
    for name in names:
        importlib.import_module(name)


def function_level_imports(source: str) -> list[tuple[int, str]]:
    """(line, text) of each import inside a function that has no ``# cycle:`` comment."""
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in ast.walk(node):
                if isinstance(inner, (ast.Import, ast.ImportFrom)) and "# cycle:" not in lines[inner.lineno - 1]:
                    found.append((inner.lineno, lines[inner.lineno - 1].strip()))
    return found


def test_imports_are_at_the_top_of_modules():
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        found = function_level_imports(path.read_text(encoding="utf-8"))
        if found:
            offenders[str(path.relative_to(PACKAGE))] = found
    assert offenders == {}


def test_the_import_scan_sees_a_function_level_import():
    source = "def f():\n    import json\n    import ckan  # cycle: ckan.lib imports us back\n"
    assert function_level_imports(source) == [(2, "import json")]


def cycles(graph: "grimp.ImportGraph", modules: set) -> list[set]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(module, counter=[0]):
        index[module] = low[module] = counter[0]
        counter[0] += 1
        stack.append(module)
        on_stack.add(module)
        for target in graph.find_modules_directly_imported_by(module) & modules:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(component)

    for module in sorted(modules):
        if module not in index:
            visit(module)
    return found


def test_no_two_modules_import_each_other_even_through_others():
    graph = grimp.build_graph(NAME, cache_dir=None)
    modules = {m for m in graph.modules if m.startswith(NAME)}
    assert cycles(graph, modules) == []


def test_the_cycle_finder_finds_a_cycle():
    graph = grimp.ImportGraph()
    for module in ("p.a", "p.b", "p.c", "p.d"):
        graph.add_module(module)
    graph.add_import(importer="p.a", imported="p.b")
    graph.add_import(importer="p.b", imported="p.c")
    graph.add_import(importer="p.c", imported="p.a")
    graph.add_import(importer="p.c", imported="p.d")
    assert cycles(graph, set(graph.modules)) == [{"p.a", "p.b", "p.c"}]
