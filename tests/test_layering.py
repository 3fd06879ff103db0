"""The architecture rule, enforced: which neuroedit package may import what.

Every module under neuroedit/ is parsed (not imported); each import, relative ones
resolved to absolute names, is checked against RULES. Imports inside functions
count too: a lazy import is still a dependency of the package.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "neuroedit"

QT = ("PySide6", "shiboken6", "pyqtgraph", "PyQt5", "PyQt6", "PySide2")
NUMBA = ("numba",)
ENGINE, DATA, MODEL, IO = "neuroedit.engine", "neuroedit.data", "neuroedit.model", "neuroedit.io"
API, GUI, CLI = "neuroedit.api", "neuroedit.gui", "neuroedit.cli"
INTEROP = "neuroedit.interop"
UNTRUSTED = "neuroedit.untrusted"
EVALUATION = "neuroedit.evaluation"

# Only this package may import Qt or pyqtgraph; every other module is checked for it.
QT_ALLOWED_IN = GUI


@dataclass(frozen=True)
class Rule:
    """Modules under `package` must not import any name under one of `forbidden`."""

    package: str
    forbidden: tuple[str, ...]
    why: str


RULES = (
    Rule(MODEL, NUMBA + (ENGINE, API, GUI, CLI), "the document model is pure Python + NumPy"),
    Rule(IO, NUMBA + (ENGINE, API, GUI, CLI), "reading and writing files needs only the model"),
    Rule(ENGINE, (MODEL, IO, GUI, API, CLI), "the engine computes on arrays, knowing no documents or views"),
    Rule(DATA, (MODEL, IO, GUI, API, CLI), "data sets are plain NumPy"),
    Rule(API, (GUI, CLI, EVALUATION), "the Python API must work headless"),
    Rule(INTEROP, NUMBA + (ENGINE, API, GUI, CLI), "export and import read documents, not engines or views"),
    Rule(
        UNTRUSTED,
        NUMBA + (ENGINE, DATA, MODEL, IO, API, GUI, CLI),
        "reading untrusted bytes is shared by io and data, so it depends on neither",
    ),
    Rule(EVALUATION, (GUI, CLI), "metrics and reports must work headless (CLI, scripts)"),
    Rule("neuroedit._version", NUMBA, "the package import must stay light"),
)


def module_name(path: Path, root: Path = ROOT) -> str:
    """`neuroedit/model/__init__.py` -> `neuroedit.model`; `neuroedit/model/document.py` -> `neuroedit.model.document`."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_names(path: Path, module: str) -> list[tuple[int, str]]:
    """(line, absolute module name) for every import statement in the file of `module`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - (node.level - 1)])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            # `from .. import engine` imports the submodule neuroedit.engine.
            found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names if alias.name != "*"]
    return found


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def check_file(path: Path, module: str) -> list[str]:
    """The layering violations of one module, one readable line each."""
    found = []
    for line, name in imported_names(path, module):
        for rule in RULES:
            if _under(module, rule.package):
                found += [
                    f"{path.name}:{line} ({module}) imports {name}: {rule.why}"
                    for bad in rule.forbidden
                    if _under(name, bad)
                ]
        if any(_under(name, q) for q in QT) and not _under(module, QT_ALLOWED_IN):
            found.append(f"{path.name}:{line} ({module}) imports {name}: only {QT_ALLOWED_IN} may import Qt")
    return found


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def violations() -> list[str]:
    return sorted({v for path in _modules() for v in check_file(path, module_name(path))})


def test_the_scan_sees_the_package():
    names = {module_name(p) for p in _modules()}
    assert "neuroedit.model.document" in names
    assert "neuroedit.cli" in names


def test_relative_imports_resolve_to_absolute_names():
    names = {name for _, name in imported_names(PACKAGE / "model" / "document.py", "neuroedit.model.document")}
    assert "neuroedit.model.commands" in names
    assert "neuroedit.model.nodetypes" in names
    init_names = {name for _, name in imported_names(PACKAGE / "model" / "__init__.py", "neuroedit.model")}
    assert "neuroedit.model.analysis" in init_names


def test_the_scan_catches_forbidden_imports(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from ..engine import core\nimport PySide6.QtCore\ndef later():\n    import numba\n", encoding="utf-8"
    )
    found = check_file(probe, "neuroedit.model.probe")
    assert any("imports neuroedit.engine" in v for v in found)
    assert any("imports numba" in v for v in found), "imports inside functions count"
    assert any("PySide6.QtCore" in v and "only neuroedit.gui" in v for v in found)
    assert check_file(probe, "neuroedit.gui.probe") == []
    assert module_name(tmp_path / "neuroedit" / "x" / "__init__.py", tmp_path) == "neuroedit.x"


def test_architecture_rules_hold():
    found = violations()
    assert not found, "layering violations:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "modules", ["neuroedit.model, neuroedit.io", "neuroedit", "neuroedit.cli", "neuroedit.interop"]
)
def test_light_imports_load_neither_numba_nor_qt(modules):
    code = (
        f"import sys, importlib\n"
        f"for m in {modules!r}.split(', '):\n"
        f"    importlib.import_module(m)\n"
        f"heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('numba', 'PySide6', 'pyqtgraph', 'shiboken6'))\n"
        f"print(','.join(heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"importing {modules} pulled in: {done.stdout.strip()}"
