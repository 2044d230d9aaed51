"""The package's shape, read from the source: each domain's public face, no domain on the web layer, no circles.

DESIGN.md §4 explains the rules; this is where CI holds the code to them. Every import counts, including one
inside a function, since it couples the packages as much as one at the top.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from dataclasses import dataclass
from pathlib import Path

import pytest

import window_staff

ROOT = Path(window_staff.__file__).parent
# The wiring: the one place that may import everything (the app, the CLI, the demo, the error map, migrations).
WIRING = {"app", "cli", "demo", "errors", "migrations", "piccolo_conf", "__init__", "__main__"}
LAYERS = {"common", "web"}


@dataclass(frozen=True)
class Import:
    where: str  # path under window_staff/
    package: str  # the importing top-level package (or module)
    target: list[str]  # the imported name, split, without "window_staff"
    line: int

    def __str__(self) -> str:
        return f"{self.where}:{self.line} imports {'.'.join(self.target)}"


def _imports() -> list[Import]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        package = rel.parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[list[str]] = []
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "window_staff":
                names = [node.module.split(".")[1:] + [alias.name] for alias in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name.split(".")[1:] for alias in node.names if alias.name.split(".")[0] == "window_staff"]
            found += [Import(str(rel), package, name, node.lineno) for name in names if name]
    return found


IMPORTS = _imports()
DOMAINS = {
    p.name: importlib.import_module(f"window_staff.{p.name}").PUBLIC
    for p in sorted(ROOT.iterdir())
    if (p / "__init__.py").exists() and p.name not in LAYERS | WIRING
}


def _is_module(package: str, name: str) -> bool:
    return (ROOT / package / f"{name}.py").exists() or (ROOT / package / name / "__init__.py").exists()


def test_every_domain_declares_a_public_face_of_modules_that_exist() -> None:
    assert DOMAINS, "no domain found"
    for domain, public in DOMAINS.items():
        missing = sorted(m for m in public if not _is_module(domain, m))
        assert not missing, f"{domain}.PUBLIC names no module: {missing}"
        assert not public & {"tables", "store", "controllers"}, f"{domain}.PUBLIC shows its tables, store or routes"


def past_the_face(imports: list[Import]) -> list[str]:
    """The imports that reach past another domain's public face (a foreign key between tables excepted)."""
    wrong = []
    for imp in imports:
        target = imp.target[0]
        if imp.package in WIRING or target == imp.package or target not in DOMAINS or len(imp.target) < 2:
            continue
        module = imp.target[1]
        if not _is_module(target, module):
            continue  # a name the package itself exports (``from window_staff.scoring import Fact``)
        # The one exception: a table may name another domain's table in a foreign key.
        foreign_key = module == "tables" and imp.where.endswith("tables.py")
        if module not in DOMAINS[target] and not foreign_key:
            wrong.append(str(imp))
    return wrong


def test_domains_and_pages_import_only_other_domains_public_faces() -> None:
    wrong = past_the_face(IMPORTS)
    assert not wrong, "imports past another domain's public face:\n" + "\n".join(wrong)


def test_no_domain_imports_the_web_layer_or_the_wiring() -> None:
    wrong = [str(i) for i in IMPORTS if i.package in DOMAINS and i.target[0] in WIRING | {"web"}]
    assert not wrong, "\n".join(wrong)


def test_common_imports_no_domain_web_or_wiring() -> None:
    wrong = [str(i) for i in IMPORTS if i.package == "common" and i.target[0] in set(DOMAINS) | WIRING | {"web"}]
    assert not wrong, "\n".join(wrong)


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_the_packages_import_each_other_without_circles() -> None:
    edges: dict[str, set[str]] = {}
    for imp in IMPORTS:
        if imp.package in WIRING or imp.target[0] in WIRING or imp.target[0] == imp.package:
            continue
        if (ROOT / imp.target[0]).is_dir():
            edges.setdefault(imp.package, set()).add(imp.target[0])
    assert _cycles(edges) == []


def test_the_cycle_finder_sees_a_circle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_every_fact_source_is_a_domains_facts_month_facts_with_the_one_signature() -> None:
    from window_staff.app import FACT_SOURCES

    registered = set()
    for source in FACT_SOURCES:
        _, domain, module = source.__module__.split(".")
        assert (module, source.__name__) == ("facts", "month_facts"), source
        assert "facts" in DOMAINS[domain], f"{domain}.PUBLIC must show its facts module"
        params = inspect.signature(source).parameters
        assert list(params) == ["ctx", "postings", "first"]
        assert [params[n].kind for n in ("postings", "first")] == [inspect.Parameter.KEYWORD_ONLY] * 2
        registered.add(domain)
    with_facts = {d for d in DOMAINS if (ROOT / d / "facts.py").exists()}
    assert with_facts == registered, "a domain's facts.py is not registered in app.FACT_SOURCES"


@pytest.mark.parametrize(
    ("where", "target", "caught"),
    [
        ("inspections/service/visits.py", ["org", "tables", "Staff"], True),  # reading another domain's table
        ("web/controllers/staff.py", ["appraisal", "store"], True),  # a page reading a domain's queries
        ("inspections/service/visits.py", ["org", "service"], False),
        ("inspections/tables.py", ["org", "tables", "Staff"], False),  # a foreign key
    ],
)
def test_the_face_check_catches_what_it_forbids(where: str, target: list[str], caught: bool) -> None:
    assert bool(past_the_face([Import(where, where.split("/")[0], target, 1)])) is caught
