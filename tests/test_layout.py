"""The layout the README promises: a core that loads without Telegram, no import circles, and
modules small enough to read (issue 11)."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "bench")
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    mods = {}
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            mods[name.removesuffix(".__init__")] = path
    return mods


def _imports(mods: dict[str, Path]) -> dict[str, set[str]]:
    """module -> the project modules it imports, at the top or inside a function."""
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for name, path in mods.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    target = f"{node.module}.{alias.name}"
                    graph[name].add(target if target in mods else node.module)
            elif isinstance(node, ast.Import):
                graph[name].update(a.name for a in node.names)
        graph[name] = {m for m in graph[name] if m in mods and m != name}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle, if any (depth-first search over sorted modules: deterministic)."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        path.append(m)
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                return [*path[path.index(n) :], n]
            if n not in state and (found := visit(n)):
                return found
        state[m] = 2
        path.pop()
        return None

    for m in sorted(graph):
        if m not in state and (found := visit(m)):
            return found
    return None


def test_the_core_loads_no_telegram_module():
    core = (
        "bot.faq.loader",
        "bot.faq.matcher",
        "bot.outlets.registry",
        "bot.guides.engine",
        "bot.guides.flow",
        "bot.assistant",
        "bot.console",
        "bot.cli",
        "bot.benefits",
    )
    code = f"import sys, {', '.join(core)}; print(sorted(m for m in sys.modules if m.startswith('telegram')))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_no_import_circles():
    assert _cycle(_imports(_modules())) is None


def test_a_planted_circle_is_found():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]


def test_telegram_is_imported_only_in_handlers_and_bench():
    for name, path in _modules().items():
        if name.startswith("bot"):
            assert "import telegram" not in path.read_text(
                encoding="utf-8"
            ) and "from telegram" not in path.read_text(encoding="utf-8"), name


def test_no_module_in_the_runtime_is_longer_than_it_should_be():
    long = {
        name: n
        for name, path in _modules().items()
        if name.split(".")[0] in ("bot", "handlers")
        and (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_runtime_code_does_not_read_the_tests_folder():
    for name, path in _modules().items():
        if name.split(".")[0] in ("bot", "handlers"):
            assert '"tests"' not in path.read_text(encoding="utf-8"), name
