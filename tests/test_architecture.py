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
import radon.complexity
import radon.metrics

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


# ---------------------------------------------------------------- size and shape of the code (radon)
MAX_COMPLEXITY = 12
MIN_MAINTAINABILITY = 20
MEASURED = [PACKAGE, ROOT / "benchmarks", ROOT / "scripts"]


def python_files():
    for folder in MEASURED:
        yield from (p for p in sorted(folder.rglob("*.py")) if "migration" not in p.parts)


def test_no_function_is_too_complex_and_no_module_too_hard_to_maintain():
    too_complex, hard = [], []
    for path in python_files():
        source = path.read_text(encoding="utf-8")
        too_complex += [f"{path.relative_to(ROOT)}:{block.lineno} {block.name} {block.complexity}"
                        for block in radon.complexity.cc_visit(source) if block.complexity > MAX_COMPLEXITY]
        index = radon.metrics.mi_visit(source, multi=True)
        if index < MIN_MAINTAINABILITY:
            hard.append(f"{path.relative_to(ROOT)} {index:.1f}")
    assert too_complex == [] and hard == []


def test_the_complexity_measure_sees_a_complex_function():
    branches = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(MAX_COMPLEXITY + 1))
    [block] = radon.complexity.cc_visit(f"def f(x):\n{branches}    return -1\n")
    assert block.complexity > MAX_COMPLEXITY


# ---------------------------------------------------------------- tests mirror modules
# modules without logic of their own: declarations, data and wiring tested through what they wire
NO_LOGIC = {"__init__.py", "namespaces.py", "plugin.py", "testing.py", "model/rdf_cache.py", "model/harvest.py", "model/assessment.py",
            "model/search_index.py", "model/vocabulary.py", "demo/__init__.py", "logic/registry.py"}


def test_every_module_with_logic_has_a_test_module_of_its_name():
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if "migration" in relative.parts or str(relative) in NO_LOGIC or relative.name == "__init__.py":
            continue
        expected = ROOT / "tests" / relative.parent / f"test_{relative.name}"
        if not expected.exists():
            missing.append(str(expected.relative_to(ROOT)))
    assert missing == []


# ---------------------------------------------------------------- the README's layout is the tree's
def layout_paths() -> list[str]:
    """The paths the README's "Layout" section names: each line's first words, and the ``*.py`` files its
    comments list, in the folder the line belongs to or in the sub-folder the comment last named
    (``postgres/ (backend.py, ...)``); a line with no path of its own continues the comment above."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## Layout", 1)[1].split("```", 2)[1]
    found, folder, sub = [], "", ""
    for line in filter(str.strip, block.splitlines()):
        head, _, comment = line.strip().partition("#")
        names = [n for n in head.replace(",", " ").split() if n != "ckanext-citizendata/ckanext/citizendata/"]
        base = "ckanext-citizendata/ckanext/citizendata/" if line.startswith(" ") else ""
        if head.strip():
            folder, sub = base, ""
        for name in names:
            found.append(base + name)
            folder = base + name if name.endswith("/") else folder
        for word in (w.strip("(),:;") for w in comment.split()):
            if word.endswith("/") and "/" not in word[:-1]:
                sub = word
            elif word.endswith(".py") and "/" not in word and folder:
                found.append(folder + sub + word)
    return found


def test_the_readme_layout_names_only_what_exists_and_every_module():
    named = layout_paths()
    assert len(named) > 40
    assert [p for p in named if not (ROOT / p).exists()] == []
    folders = {f"ckanext-citizendata/ckanext/citizendata/{p.relative_to(PACKAGE)}/" for p in PACKAGE.iterdir()
               if p.is_dir() and not p.name.startswith("__")}
    assert {f for f in folders if not any(p.startswith(f) for p in named)} == set()
    modules = {str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*.py")
               if p.name != "__init__.py" and "migration" not in p.relative_to(PACKAGE).parts}
    assert modules - set(named) == set()
