"""Children started now and read later, so that they run beside safepip's own work.

:class:`Spawned` starts one with ``os`` alone (``posix_spawn``), for the question the console
script asks before the rest of safepip is imported; :class:`StartedEach` starts several helper
commands at once. With :mod:`safepip.process`, the only place safepip starts other programs; the
environment each child sees is the policy its starter names (:mod:`safepip.child_environ`).
"""

from __future__ import annotations

import os

from safepip.child_environ import AS_IS

TYPE_CHECKING = False
if TYPE_CHECKING:  # os only at import: the console script starts a question with it (Spawned)
    import subprocess
    from collections.abc import Mapping, Sequence

    from safepip.child_environ import Policy


class Spawned:
    """:func:`safepip.process.run_captured` in two halves, started with ``os`` alone
    (``posix_spawn``, no :mod:`subprocess`), for a question the console script asks before the
    rest of safepip is imported (:mod:`safepip.cli.early`); :meth:`finish` or :meth:`abandon`
    it exactly once."""

    __slots__ = ("_err", "_out", "_pid", "args")

    def __init__(
        self, cmd: Sequence[str], *, environ: Mapping[str, str], policy: Policy = AS_IS
    ) -> None:
        """Raises OSError where it cannot start (or this system has no ``posix_spawn``)."""
        if not hasattr(os, "posix_spawn"):
            raise OSError("os.posix_spawn is not available here")
        self.args = list(cmd)
        out_read, out_write = os.pipe()  # not inherited: only the dup2'd ends reach the child
        err_read, err_write = os.pipe()
        try:
            self._pid = os.posix_spawn(
                self.args[0],
                self.args,
                policy.apply(environ),
                file_actions=[
                    (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                    (os.POSIX_SPAWN_DUP2, out_write, 1),
                    (os.POSIX_SPAWN_DUP2, err_write, 2),
                ],
            )
        except BaseException:
            os.close(out_read)
            os.close(err_read)
            raise
        finally:
            os.close(out_write)
            os.close(err_write)
        self._out, self._err = out_read, err_read

    def finish(self, timeout: float) -> subprocess.CompletedProcess[str]:
        """What it printed and its exit status, as ``run_captured`` gives them; past
        ``timeout`` it is killed and :class:`subprocess.TimeoutExpired` raised."""
        import selectors
        import subprocess
        import time

        chunks: dict[int, list[bytes]] = {self._out: [], self._err: []}
        deadline = time.monotonic() + timeout
        try:
            with selectors.DefaultSelector() as selector:
                for fd in chunks:
                    selector.register(fd, selectors.EVENT_READ)
                while selector.get_map():
                    left = deadline - time.monotonic()
                    ready = selector.select(left) if left > 0 else []
                    if not ready:
                        raise subprocess.TimeoutExpired(self.args, timeout)
                    for key, _ in ready:
                        data = os.read(key.fd, 65536)
                        if data:
                            chunks[key.fd].append(data)
                        else:
                            selector.unregister(key.fd)
        except BaseException:
            self.abandon()
            raise
        os.close(self._out)
        os.close(self._err)
        code = os.waitstatus_to_exitcode(os.waitpid(self._pid, 0)[1])
        text = [b"".join(chunks[fd]).decode(errors="replace") for fd in (self._out, self._err)]
        return subprocess.CompletedProcess(self.args, code, text[0], text[1])

    def abandon(self) -> None:
        """End it unread (killed, reaped, its pipes closed)."""
        import contextlib
        import signal

        for fd in (self._out, self._err):
            with contextlib.suppress(OSError):
                os.close(fd)
        with contextlib.suppress(ProcessLookupError):
            os.kill(self._pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self._pid, 0)


def output_of_each(
    commands: Sequence[Sequence[str]],
    *,
    environ: Mapping[str, str],
    policy: Policy = AS_IS,
    timeout: float,
) -> list[str | None]:
    """Run short helper commands side by side (no terminal); each one's stdout, or None where it
    could not start, failed or took longer than ``timeout``."""
    return StartedEach(commands, environ=environ, policy=policy).outputs(timeout)


class StartedEach:
    """:func:`output_of_each` in two halves: started now, read by :meth:`outputs` (once)."""

    def __init__(
        self,
        commands: Sequence[Sequence[str]],
        *,
        environ: Mapping[str, str],
        policy: Policy = AS_IS,
    ) -> None:
        import subprocess

        child_environ = policy.apply(environ)
        self._started: list[subprocess.Popen[str] | None] = []
        for cmd in commands:
            try:
                self._started.append(
                    subprocess.Popen(
                        list(cmd),
                        env=child_environ,
                        stdin=subprocess.DEVNULL,
                        stdout=subprocess.PIPE,
                        stderr=subprocess.DEVNULL,
                        text=True,
                        errors="replace",
                    )
                )
            except OSError:
                self._started.append(None)

    def outputs(self, timeout: float) -> list[str | None]:
        import subprocess

        outputs: list[str | None] = []
        for process in self._started:
            if process is None:
                outputs.append(None)
                continue
            try:
                out, _ = process.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()
                outputs.append(None)
                continue
            outputs.append(out if process.returncode == 0 else None)
        return outputs
