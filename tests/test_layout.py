"""The layout README describes stays true: imports run one way, down the layers README names,
and never in a cycle (lazy and ``TYPE_CHECKING`` imports included); no two modules share a file
name; modules and functions of a readable size, empty package ``__init__`` files (the fast path
imports them), and a README line for every module. Only the process modules start programs (and
the fast and warm paths' ``exec``), each in the environment of a policy its caller names."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "safepip"
MAX_MODULE_LINES = 370
MAX_FUNCTION_LINES = 52


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        found[".".join(parts).removesuffix(".__init__")] = path
    return found


def import_graph() -> dict[str, set[str]]:
    known = modules()
    graph: dict[str, set[str]] = {name: set() for name in known}
    for name, path in known.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            graph[name].update(t for t in targets if t in known and t not in (name, "safepip"))
    return graph


#: The layers, top first, as README's "How the code is laid out" gives them: a module imports
#: only from its own layer and those below. The modules directly in ``safepip/`` are the base.
LAYERS = (
    ("__main__", "cli", "commands"),  # the command line
    ("operations", "doctor"),  # the work: a redirect, living with it, shims, doctor
    ("backends",),  # the homes: .venv with pip or uv, the user environment, pipx, uv tool
    ("decide",),  # what each requirement is for, and where it goes
    ("inspect",),  # what each requirement is (the index, wheels, sdists, installed ones)
    ("target", "pip"),  # the interpreter, project and .venv; pip's argv, config and running it
)
BASE = len(LAYERS)


def layer(module: str) -> int:
    """The layer of ``safepip.<room>.<module>`` (0 is the top; :data:`BASE` the base)."""
    room = module.split(".")[1] if "." in module else ""
    if module.count(".") == 1 and room != "__main__":
        return BASE  # safepip.process, safepip.records, ...
    return next(i for i, rooms in enumerate(LAYERS) if room in rooms)


def upward(graph: dict[str, set[str]]) -> list[str]:
    """Every import that goes up a layer, as ``importer -> imported``."""
    return [f"{a} -> {b}" for a in sorted(graph) for b in sorted(graph[a]) if layer(b) < layer(a)]


def test_the_layer_check_finds_an_upward_import() -> None:
    graph = {"safepip.pip.run": {"safepip.cli.fast"}, "safepip.cli.fast": {"safepip.pip.run"}}
    assert upward(graph) == ["safepip.pip.run -> safepip.cli.fast"]
    assert layer("safepip.records") == BASE and layer("safepip.__main__") == 0


def test_imports_run_down_the_layers() -> None:
    assert upward(import_graph()) == []


def test_no_two_modules_share_a_file_name() -> None:
    seen: dict[str, list[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        if path.name != "__init__.py":
            seen.setdefault(path.name, []).append(path.relative_to(PACKAGE).as_posix())
    assert {name: places for name, places in seen.items() if len(places) > 1} == {}


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as a path of module names, or None."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = 2
        path.pop()
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_the_cycle_finder_finds_one() -> None:
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle() -> None:
    assert cycle(import_graph()) is None


def test_modules_and_functions_stay_small() -> None:
    big = []
    for name, path in modules().items():
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > MAX_MODULE_LINES:
            big.append(f"{name}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    big.append(f"{name}.{node.name}: {length} lines")
    assert big == []


def test_package_init_files_are_empty() -> None:
    inits = [p for p in PACKAGE.rglob("__init__.py") if p.parent != PACKAGE]
    assert inits and all(p.read_text(encoding="utf-8") == "" for p in inits)


def test_readme_names_every_module() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## How the code is laid out", 1)[1].split("\n## ", 1)[0]
    missing = [
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if path.name != "__init__.py" and path.name not in section
    ]
    assert missing == []


def test_records_follow_the_written_rule() -> None:
    """README's rule: ``records.Frozen``/``Mutable`` everywhere, ``@dataclass`` only in the
    look-up (``inspect/``, which uses ``dataclasses.replace``) and ``doctor/`` (``asdict`` is its
    ``--json``), and no ``NamedTuple`` (a record that is also a tuple unpacks by position)."""
    wrong = []
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef):
                continue
            marks = [ast.unparse(d) for d in node.decorator_list]
            marks += [ast.unparse(b) for b in node.bases]
            if any(m.endswith("NamedTuple") for m in marks):
                wrong.append(f"{name}.{node.name}: NamedTuple")
            if any(m.startswith("dataclass") for m in marks) and name.split(".")[1] not in (
                "inspect",
                "doctor",
            ):
                wrong.append(f"{name}.{node.name}: @dataclass")
    assert wrong == []


#: The modules that start processes, and the two that ``exec`` one on the fast and the warm
#: path (which apply a policy of :mod:`safepip.child_environ` just as the process modules do).
PROCESS_MODULES = ("safepip.process", "safepip.side_by_side")
EXEC_EXCEPTIONS = {"safepip.cli.fast": ["os.execve"], "safepip.cli.warm": ["os.execve"]}
#: What starts a program, per module.
STARTERS = {
    "subprocess": ("run", "Popen", "call", "check_call", "check_output", "getoutput"),
    "os": ("exec", "spawn", "posix_spawn", "system", "popen", "fork"),
    "asyncio": ("create_subprocess_",),
    "pty": ("spawn", "fork"),
}


def _starter(module: str, name: str) -> bool:
    return any(name.startswith(prefix) for prefix in STARTERS.get(module, ()))


def starts(tree: ast.AST) -> list[str]:
    """What in ``tree`` starts a program (``subprocess.run``, ``os.execv``, ...), by name."""
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            aliases.update((a.asname or a.name, a.name) for a in node.names if a.name in STARTERS)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in STARTERS:
            found += [
                f"{node.module}.{a.name}" for a in node.names if _starter(node.module, a.name)
            ]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            module = aliases.get(node.value.id)
            if module is not None and _starter(module, node.attr):
                found.append(f"{module}.{node.attr}")
    return sorted(found)


def test_the_start_finder_finds_each_way_to_start_a_program() -> None:
    code = (
        "import subprocess as sp, os\nfrom os import execv\nsp.run([])\nos.posix_spawn\n"
        "os.path.join('a')\nsp.SubprocessError\nos.execvpe('x', [], {})\n"
    )
    assert starts(ast.parse(code)) == ["os.execv", "os.execvpe", "os.posix_spawn", "subprocess.run"]


def test_only_the_process_modules_start_programs() -> None:
    """Nothing in ``safepip/`` but :data:`PROCESS_MODULES` starts a program (catching
    ``subprocess.SubprocessError`` that :func:`safepip.process.run_captured` raises is no
    start), except the fast and the warm path's ``exec``."""
    found = {}
    for name, path in modules().items():
        started = starts(ast.parse(path.read_text(encoding="utf-8")))
        if started and name not in PROCESS_MODULES:
            found[name] = started
    assert found == EXEC_EXCEPTIONS


def test_each_exec_applies_a_child_environment_policy() -> None:
    """The fast and the warm path's ``os.execve`` pass the environment a policy's ``apply``
    made (directly, or through a name assigned from it in the same function)."""
    for name in EXEC_EXCEPTIONS:
        tree = ast.parse(modules()[name].read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            applied = {
                target.id
                for node in ast.walk(function)
                if isinstance(node, ast.Assign) and _is_apply(node.value)
                for target in node.targets
                if isinstance(target, ast.Name)
            }
            for call in ast.walk(function):
                if isinstance(call, ast.Call) and _names(call.func) == "execve":
                    env = call.args[2]
                    named = isinstance(env, ast.Name) and env.id in applied
                    assert _is_apply(env) or named, f"{name}:{call.lineno}"


def _is_apply(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and _names(node.func) == "apply"


def _names(func: ast.expr) -> str | None:
    """The name a call calls (``run`` of ``run(...)`` and of ``process.run(...)``)."""
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


#: The functions that start a child in the environment a policy makes of ``environ``.
POLICY_STARTS = (
    "run_foreground", "run_held", "run_captured", "output_bytes", "Spawned", "StartedEach",
    "output_of_each", "run_pip", "run_uv",
)  # fmt: skip


def test_every_start_names_its_policy() -> None:
    """A start's ``policy`` is the environment as it is unless named; every start in
    ``safepip/`` names it, so that none is cleaned, or left as it is, by accident (called by
    the name imported, or on its module: a method of the same name, ``VenvHome.run_pip``,
    names it inside)."""
    unnamed = []
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or _started(node.func) not in POLICY_STARTS:
                continue
            if not any(k.arg == "policy" for k in node.keywords):
                unnamed.append(f"{name}:{node.lineno} {_started(node.func)}")
    assert unnamed == []


def _started(func: ast.expr) -> str | None:
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return func.attr if func.value.id in ("process", "side_by_side") else None
    return _names(func)
