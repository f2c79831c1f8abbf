"""The variables that choose safepip's target before anything else is read, each named once: the
fast and warm paths (which import nothing), ``--help`` and the interpreter search read them
here. (The settings' own variables, ``SAFEPIP_ROUTE`` and the rest, are named in
:mod:`safepip.decide.settings`.)"""

from __future__ import annotations

#: Names the target interpreter, after pip's own ``--python`` and before the active venv
#: (:func:`safepip.target.interpreter.find_target`); set, neither the fast nor the warm path
#: applies.
PYTHON = "SAFEPIP_PYTHON"
