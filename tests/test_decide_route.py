from __future__ import annotations

import csv
from pathlib import Path

import pytest

from safepip.decide.model import DIRECT_URL, Decision, Item, Override, Situation
from safepip.decide.route import decide, needs_commands

CASES = Path(__file__).resolve().parents[2] / "shared" / "cases"
TABLE = CASES / "routing.tsv"
FORMATTER = 'its summary says "formatter" ("The uncompromising code formatter.")'
OUTSIDE = Situation(externally_managed=True, project=None)
INSIDE = Situation(externally_managed=True, project="/p")


def app(name: str = "black", *commands: str) -> Item:
    return Item(
        name, "name", name, commands or (name,), commands_known=True, role="application",
        role_reason=FORMATTER,
    )  # fmt: skip


def helper_lib(name: str = "numpy", *commands: str) -> Item:
    return Item(
        name, "name", name, commands or ("f2py",), commands_known=True, role="library",
        role_reason="nothing in its metadata says it is an application",
    )  # fmt: skip


def test_not_externally_managed_is_plain_pip() -> None:
    assert decide(app(), Situation(externally_managed=False, project=None)).route == "pip"


def test_library_goes_to_venv_everywhere() -> None:
    lib = Item("requests", "name", "requests", commands_known=True)
    for situation in (OUTSIDE, INSIDE):
        decision = decide(lib, situation)
        assert decision.route == "venv"
        assert "no commands" in decision.reasons[0]


def test_app_outside_project_goes_to_pipx_with_reasons() -> None:
    decision = decide(app("black", "black", "blackd"), OUTSIDE)
    assert decision == Decision(
        "pipx", ("it puts commands on PATH: black, blackd", f"{FORMATTER}: an application")
    )


def test_a_library_with_helper_commands_goes_where_import_finds_it() -> None:
    outside = decide(helper_lib(), OUTSIDE)
    assert outside.route == "venv"
    assert outside.reasons == (
        "it puts commands on PATH: f2py",
        "but nothing in its metadata says it is an application: a library, "
        "so where `import` finds it",
    )
    inside = decide(helper_lib(), Situation(True, "/p", interactive=True))
    assert inside.route == "venv" and not inside.ask  # no question for a library
    assert decide(helper_lib(), Situation(True, None, user_env="your home folder")).route == "user"


def test_an_application_that_manages_projects_stays_out_of_them() -> None:
    poetry = Item(
        "poetry", "name", "poetry", ("poetry",), commands_known=True, role="application",
        role_reason="it works on Python projects and environments (it requires build)",
    )  # fmt: skip
    assert decide(poetry, INSIDE).route == "pipx"
    assert "stays out of the project's .venv" in decide(poetry, INSIDE).reasons[-1]
    on_tty = decide(poetry, Situation(True, "/p", interactive=True))
    assert on_tty.route == "pipx" and on_tty.ask  # the question's default follows the rule
    declared = Situation(True, "/p", declared={"poetry": "requirements.txt"})
    assert decide(poetry, declared).route == "venv"


def test_meta_package_reason_names_the_dependency() -> None:
    item = Item(
        "ansible", "name", "ansible", ("ansible",), commands_via="ansible-core",
        commands_known=True, role="application", role_reason="it bundles ansible-core",
    )  # fmt: skip
    decision = decide(item, OUTSIDE)
    assert decision.route == "pipx"
    assert "through its dependency ansible-core" in decision.reasons[0]


@pytest.mark.parametrize("kind", ["requirements-file", "constraints-file", "editable", "local"])
def test_project_kinds_go_to_venv_even_outside_a_project(kind: str) -> None:
    item = Item("x", kind)  # type: ignore[arg-type]
    assert decide(item, OUTSIDE).route == "venv"


def test_inspection_failure_is_safe() -> None:
    item = Item("black", "name", "black", inspect_error="index unreachable")
    decision = decide(item, OUTSIDE)
    assert decision.route == "venv"
    assert "index unreachable" in decision.reasons[0]


def test_declared_or_installed_inside_project_goes_to_venv() -> None:
    declared = Situation(True, "/p", declared={"black": "pyproject.toml [project] dependencies"})
    assert decide(app(), declared).reasons == (
        "the project declares it (pyproject.toml [project] dependencies)",
    )
    installed = Situation(True, "/p", in_venv=frozenset({"black"}))
    assert decide(app(), installed).route == "venv"


def test_undeclared_app_inside_project_asks_on_a_terminal_only() -> None:
    on_tty = decide(app(), Situation(True, "/p", interactive=True))
    assert on_tty.ask and on_tty.route == "pipx"
    off_tty = decide(app(), INSIDE)
    assert not off_tty.ask and off_tty.route == "pipx"


def test_overrides_in_order_per_package_then_default() -> None:
    cli = Override("--pipx", default="pipx")
    project = Override("[tool.safepip]", default="venv", packages={"black": "pipx"})
    user = Override("config.toml", packages={"requests": "pipx"})
    assert decide(app(), INSIDE, [cli]).route == "pipx"
    assert decide(app(), OUTSIDE, [project]).reasons == ("chosen by [tool.safepip]",)
    assert decide(app("tox"), OUTSIDE, [project, user]).route == "venv"  # project default first
    assert decide(app("requests"), OUTSIDE, [user]).route == "pipx"


def test_a_settings_pipx_for_a_package_without_commands_is_not_tried_blindly() -> None:
    """pipx refuses a package with no commands ("No apps associated"): a setting's pipx sends
    it where it can work, saying why; ``--pipx`` on the command line is tried as asked."""
    user = Override("config.toml", default="pipx")
    library = Item("six", "name", "six")
    assert needs_commands(library, INSIDE, [user])  # so it is looked up first
    library = library.with_commands(())
    decision = decide(library, INSIDE, [user])
    assert decision.route == "venv"
    assert "config.toml asks for pipx, but six puts no commands on PATH" in decision.reasons[0]
    assert decide(library, INSIDE, [Override("--pipx", default="pipx")]).route == "pipx"
    assert decide(app("six"), INSIDE, [user]).route == "pipx"


def test_unknown_commands_inside_a_project_says_why() -> None:
    decision = decide(Item("six", "name", "six"), INSIDE)
    assert decision.route == "venv"
    assert "inside a project" in decision.reasons[0]
    assert "no commands" not in decision.reasons[0]


def test_pipx_cannot_take_a_requirements_file() -> None:
    item = Item("-r req.txt", "requirements-file")
    decision = decide(item, OUTSIDE, [Override("--pipx", default="pipx")])
    assert decision.route == "venv"
    assert "pipx cannot install a requirements file" in decision.reasons[0]


def _rows() -> list[dict[str, str]]:
    rows: dict[str, dict[str, str]] = {}
    for table in ("routing.tsv", "libraries.tsv"):  # libraries.tsv is stricter where they meet
        with (CASES / table).open(newline="") as handle:
            rows.update((r["package"], r) for r in csv.DictReader(handle, delimiter="\t"))
    return list(rows.values())


#: The role each kind of the tables' rows is judged to have (the network test checks that the
#: real packages are judged so).
ROLES = {
    "application": "application",
    "application that manages projects": "application",
    "library": "library",
    "library with helper commands": "library",
    "dual-use tool": "library",
}


@pytest.mark.skipif(not TABLE.exists(), reason="shared/ is not beside the checkout")
@pytest.mark.parametrize("row", _rows() if TABLE.exists() else [], ids=lambda r: r["package"])
def test_shared_tables_route_from_commands_and_role(row: dict[str, str]) -> None:
    """The rule, fed the commands the tables read from each package's real wheel and the role
    of its kind, gives the preferred route in both situations (the network test checks the
    commands and roles themselves)."""
    commands = tuple(c for c in row["commands_in_wheel"].split(",") if c and c != "-")
    role = ROLES[row["kind"]]
    item = Item(row["package"], "name", row["package"], commands, commands_known=True, role=role)
    outside = decide(item, OUTSIDE).route
    either = row["kind"] == "dual-use tool"  # "may go either way" (issue 23): any listed route
    allowed = row["outside_project"].split("|")[: None if either else 1]
    assert ("venv" if outside == "user" else outside) in allowed
    assert decide(item, INSIDE).route == row["inside_project_undeclared"].split("|")[0]


def test_a_global_route_never_takes_a_declared_dependency_to_pipx() -> None:
    declared = Situation(True, "/p", declared={"tox": "requirements.txt"})
    user = Override("config.toml", default="pipx", packages={"tox": "pipx"}, binding=False)
    project = Override("[tool.safepip]", packages={"tox": "pipx"})
    assert decide(app("tox"), declared, [user]).route == "venv"
    assert decide(app("tox"), declared, [project, user]).route == "pipx"
    assert decide(app("tox"), declared, [Override("--pipx", default="pipx")]).route == "pipx"
    assert decide(app("black"), declared, [user]).route == "pipx"  # not declared: still applies


def test_pip_setuptools_and_wheel_are_an_environments_own_tools() -> None:
    for name in ("pip", "setuptools", "wheel"):
        tool = app(name)
        assert decide(tool, INSIDE).route == "venv"
        assert decide(tool, OUTSIDE).route == "user"
        assert decide(tool, INSIDE, [Override("--pipx", default="pipx")]).route == "venv"
        assert "own tool" in decide(tool, OUTSIDE).reasons[0]


def test_libraries_go_to_the_user_environment_where_no_project_starts() -> None:
    home = Situation(True, None, user_env="this is your home folder")
    lib = Item("six", "name", "six", commands_known=True)
    assert decide(lib, home).route == "user"
    assert "home folder" in decide(lib, home).reasons[-1]
    assert decide(app(), home).route == "pipx"
    assert decide(lib, OUTSIDE).route == "venv"
    user_flag = Situation(True, "/p", user_env="--user asks for it")
    assert decide(lib, user_flag).route == "user"


@pytest.mark.parametrize(
    ("item", "what"),
    [
        (Item(".", "local"), "a local path"),
        (Item("-e .", "editable"), "an editable install"),
        (Item("https://x.test/a.whl", "url"), "a URL"),
        (Item("a @ https://x.test/a.whl", "name", "a", inspect_error=DIRECT_URL), "a URL"),
    ],
)
def test_a_checkout_routes_only_packages_from_an_index(item: Item, what: str) -> None:
    """A repository's [tool.safepip] cannot send its own code (or any path, -e or URL) to pipx:
    that would put the repository's commands on the user's PATH for every shell."""
    checkout = Override("[tool.safepip]", default="pipx", checkout=True)
    decision = decide(item, OUTSIDE, [checkout])
    assert decision.route == "venv"
    assert decision.reasons[0].startswith("[tool.safepip] asks for pipx, but")
    assert what in decision.reasons[0] and "--pipx" in decision.reasons[0]
    # the user's own choices still may
    assert decide(item, OUTSIDE, [Override("--pipx", default="pipx")]).route == "pipx"
    user = Override("config.toml", default="pipx", binding=False)
    assert decide(item, OUTSIDE, [user]).route == "pipx"
    # and the checkout still routes packages from an index
    assert decide(app(), OUTSIDE, [checkout]).route == "pipx"


def test_a_bundle_goes_to_pipx_outside_and_to_the_venv_inside() -> None:
    """ansible's own metadata says nothing of what it is; its part ansible-core's commands make
    it an application outside a project, but inside one only what says it is an application
    of its own stays out of the project's .venv."""
    bundle = Item(
        "ansible", "name", "ansible", ("ansible-playbook",), commands_via="ansible-core",
        commands_known=True, role="bundle", role_reason="it bundles the commands of ansible-core",
    )  # fmt: skip
    assert decide(bundle, OUTSIDE).route == "pipx"
    inside = decide(bundle, Situation(True, "/p", interactive=True))
    assert inside.route == "venv" and not inside.ask
    assert "only what says it is an application of its own" in inside.reasons[-1]


def test_a_plugins_reason_says_how_it_is_known() -> None:
    plugin = Item(
        "mkdocstrings", "name", "mkdocstrings", commands_known=True, inject_into="mkdocs",
        inject_why="registers mkdocs.plugins entry points and requires it",
    )  # fmt: skip
    decision = decide(plugin, OUTSIDE)
    assert decision.route == "pipx"
    assert decision.reasons[0] == (
        "it is a plugin of mkdocs (registers mkdocs.plugins entry points and requires it)"
    )


def test_distro_only_for_named_requirements_from_an_index() -> None:
    situation = Situation(True, "/p", declared={"numpy": "pyproject.toml"})
    chosen = [Override("--distro", "distro")]
    assert decide(Item("pyyaml", "name", "pyyaml"), situation, chosen).route == "distro"
    assert decide(Item("numpy", "name", "numpy"), situation, chosen).route == "distro"
    refused = decide(Item("-r req.txt", "requirements-file"), situation, chosen)
    assert refused.route == "venv" and "distribution's package" in refused.reasons[0]
    assert decide(Item("./x", "local"), situation, chosen).route == "venv"
    global_choice = [Override("$SAFEPIP_ROUTE", "distro", binding=False)]
    declared = decide(Item("numpy", "name", "numpy"), situation, global_choice)
    assert declared.route == "venv"  # a global choice never takes a declared one out of the .venv
    assert not needs_commands(Item("pyyaml", "name", "pyyaml"), situation, chosen)
