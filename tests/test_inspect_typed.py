"""safepip.inspect.typed: the commands a description tells people to type. The inputs are
excerpts of real packages' long descriptions, as published."""

from __future__ import annotations

import pytest

from safepip.inspect.typed import command_word, may_be_typed, typed_commands, typed_line

JUPYTERLAB = """\
- If you use pip:
  ```shell
  pip install jupyterlab
  ```
  If installing using `pip install --user`, you must add the user-level `bin` directory to
  your `PATH` environment variable in order to launch `jupyter lab`.

### Running

Start up JupyterLab using:

```bash
jupyter lab
```

Alternatively, you can start up JupyterLab using `~/.local/bin/jupyter lab` without changing
"""

ANSIBLE = """\
The ``ansible-core`` python package contains the core runtime and CLI tools,
such as ``ansible`` and ``ansible-playbook``,
while the ``ansible`` package contains extra modules, plugins, and roles.
More information on the Ansible `website <https://ansible.com/>`_.
"""

CELERY = """\
To install using ``pip``:

::


    $ pip install -U Celery

Serializers
~~~~~~~~~~~

:``celery[auth]``:
    for using the ``auth`` security serializer.

Concurrency
~~~~~~~~~~~
"""

FLOWER = """\
Launch the server and open http://localhost:5555:

.. code-block:: bash

    $ celery -A tasks.app flower --port=5001

Or, launch from Celery:

.. code-block:: bash

    $ celery --broker=amqp://guest:guest@localhost:5672// flower
"""

PYTHON = """\
```python
from flask import Flask
app = Flask(__name__)
print(app)
```

```console
(venv) $ flask --app hello run
```

```yaml
services: web
```

```pycon
>>> import numpy
```
"""


def test_shell_lines_and_inline_code_of_markdown() -> None:
    assert typed_commands(JUPYTERLAB) == (
        "jupyter lab",
        "bin",
        "PATH",
        "~/.local/bin/jupyter lab",
    )  # pip's lines are how it is installed, not a command of a dependency


def test_restructured_text_inline_literals_not_links() -> None:
    assert typed_commands(ANSIBLE) == ("ansible-core", "ansible", "ansible-playbook")


def test_a_tilde_underline_is_a_heading_not_a_code_block() -> None:
    assert typed_commands(CELERY) == ("auth",)


def test_code_block_directives_and_prompts() -> None:
    assert typed_commands(FLOWER) == (
        "celery -A tasks.app flower --port=5001",
        "celery --broker=amqp://guest:guest@localhost:5672// flower",
    )


def test_python_and_other_languages_are_not_typed() -> None:
    assert typed_commands(PYTHON) == ("flask --app hello run",)


@pytest.mark.parametrize(
    ("line", "word"),
    [
        ("jupyter lab", "jupyter"),
        ("~/.local/bin/jupyter lab", "jupyter"),
        ("app = Flask(__name__)", ""),
        ("print(app)", ""),
        ("python -m venv .venv", ""),
        ("pip install jupyterlab", ""),
        ("etc.", ""),
        ("py.test -x", "py.test"),
    ],
)
def test_command_word(line: str, word: str) -> None:
    assert command_word(line) == word


def test_which_dependencies_are_worth_a_look_up() -> None:
    lines = (*typed_commands(JUPYTERLAB + ANSIBLE + FLOWER), "kombu")
    assert may_be_typed("jupyter-core", lines)  # named after "jupyter"
    assert may_be_typed("ansible-core", lines)  # named after "ansible"
    assert may_be_typed("celery", lines)  # typed with arguments
    assert not may_be_typed("kombu", lines)  # only named
    assert not may_be_typed("jupyterlab-server", lines)
    assert not may_be_typed("pip-tools", lines)


def test_the_line_that_types_a_command() -> None:
    lines = typed_commands(JUPYTERLAB)
    assert typed_line(("jupyter", "jupyter-migrate"), lines) == "jupyter lab"
    assert typed_line(("jupyter-server",), lines) is None
    assert typed_line(("ansible", "ansible-playbook"), typed_commands(ANSIBLE)) == "ansible"
