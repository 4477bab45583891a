"""Containment for the user's code (model load/adapter/predict, their imports) run by the CLI.

User code may raise anything, call ``sys.exit(0)``, raise ``KeyboardInterrupt``,
print, or hang. ``call_user`` turns every one of these into ``UserCodeError``
(SG306, exit 2): a ``SystemExit`` must not end ``monitor`` with exit 0 and no
report, and a print must not corrupt ``--format json``, so the code's stdout and
stderr are captured and shown only in the error message.

The timeout runs the code in a daemon worker thread and waits with ``join``,
rather than a SIGALRM in the main thread: the alarm's exception can be
swallowed by the user's own ``except:`` and cannot interrupt a call blocked in
C, while ``join(timeout)`` returns on time whatever the code does. The worker is
then abandoned (a thread cannot be killed); the CLI exits 2 right after, and a
daemon thread does not keep the process alive. The cost: user code runs off the
main thread (it cannot install signal handlers).
"""
from __future__ import annotations

import contextlib
import io
import threading

from ..errors import SpecgenError

__all__ = ["UserCodeError", "call_user", "default_timeout", "DEFAULT_TIMEOUT", "MAX_CAPTURED"]

DEFAULT_TIMEOUT = 600.0  #: seconds one call may take unless ``--model-timeout`` says otherwise
MAX_CAPTURED = 2000  #: characters of the code's own output quoted in an error
_timeout = DEFAULT_TIMEOUT
_lock = threading.Lock()  # sys.stdout/sys.stderr are process-wide: one capture at a time


class UserCodeError(SpecgenError):
    """User code failed, exited, was interrupted or ran out of time."""

    def __init__(self, message: str, output: str = ""):
        super().__init__(f"{message} [SG306]{output}", "SG306")
        self.detail = message + output  # for callers that add their own context and code


@contextlib.contextmanager
def default_timeout(seconds: float | None):
    """Set the timeout of every ``call_user`` inside the block (``None``: keep the current one)."""
    global _timeout
    previous = _timeout
    if seconds is not None:
        if not seconds > 0:
            raise ValueError(f"timeout must be positive, not {seconds!r}")
        _timeout = float(seconds)
    try:
        yield
    finally:
        _timeout = previous


def call_user(fn, *args, what: str, timeout: float | None = None, **kwargs):
    """``fn(*args, **kwargs)`` with its failures, exits, output and run time contained."""
    limit = _timeout if timeout is None else timeout
    outcome: dict = {}
    captured = _Capture()

    def run():
        try:
            outcome["value"] = fn(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 -- SystemExit and KeyboardInterrupt too: all are the user's
            outcome["error"] = exc

    with _lock, contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
        worker = threading.Thread(target=run, name=f"specgen-user-{what}", daemon=True)
        worker.start()
        worker.join(limit)
    if worker.is_alive():
        raise UserCodeError(f"{what} did not finish within {limit:g} s (raise --model-timeout if it needs "
                            "longer)", _output(captured))
    if "error" in outcome:
        raise UserCodeError(f"{what} {_describe(outcome['error'])}", _output(captured)) from None
    return outcome["value"]


class _Capture(io.StringIO):
    """Keeps the first ``MAX_CAPTURED`` characters and counts the rest: a chatty model costs no memory."""

    def __init__(self):
        super().__init__()
        self.dropped = 0

    def write(self, text: str) -> int:
        room = max(0, MAX_CAPTURED - self.tell())
        super().write(text[:room])
        self.dropped += max(0, len(text) - room)
        return len(text)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, SystemExit):
        return f"called sys.exit({exc.code!r}); user code must return or raise, not exit"
    if isinstance(exc, KeyboardInterrupt):
        return "raised KeyboardInterrupt"
    text = " ".join(str(exc).split())
    return f"failed: {type(exc).__name__}" + (f": {text}" if text else "")


def _output(captured: _Capture) -> str:
    text = captured.getvalue().strip()
    if not text:
        return ""
    if captured.dropped:
        text += f"... ({captured.dropped:,} more characters)"
    return "\n  its output:\n    " + "\n    ".join(text.splitlines())
