"""Log lines a request cannot forge.

A request can put any character into what the server logs: ``%0a`` in its path is a newline
once the path is decoded, a header may carry ESC. :class:`EscapingFormatter` escapes control
characters (C0, DEL, C1), the Unicode line and paragraph separators and the bidirectional
overrides wherever a request's data can reach a line: the formatted message (``\\n`` becomes
``\\x0a``) and the message lines of an exception (its text and notes). The newlines of the
traceback itself stay, so a traceback is still readable and a forged line shows as one line.
Backslashes are left alone: a literal ``\\x0a`` in a request is ambiguous, never a new line.

:class:`GunicornLogger` (``oqs-sim serve``) puts it on gunicorn's error and access logs and sends
the simulator's own loggers (``simulator.*``) to gunicorn's error log; :func:`log_to_stderr` is
the command-line equivalent.
"""

from __future__ import annotations

import logging
import re
import traceback

from gunicorn.glogging import Logger

__all__ = ["escape", "EscapingFormatter", "GunicornLogger", "log_to_stderr"]

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape(text: str) -> str:
    """``text`` with every character that could break or disguise a log line escaped."""
    return _UNSAFE.sub(_escaped, text)


class _EscapedTraceback(traceback.TracebackException):
    """A traceback whose exception lines (``Type: message``, notes) are escaped."""

    def format_exception_only(self, *args, **kwargs):
        for chunk in super().format_exception_only(*args, **kwargs):
            line, newline = (chunk[:-1], "\n") if chunk.endswith("\n") else (chunk, "")
            yield escape(line) + newline


def _escape_chain(root: traceback.TracebackException) -> None:
    """Make ``root`` and every exception chained to or grouped in it escape its lines."""
    pending, seen = [root], set()
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        current.__class__ = _EscapedTraceback
        pending += [current.__cause__, current.__context__, *(current.exceptions or ())]


class EscapingFormatter(logging.Formatter):
    """A :class:`logging.Formatter` whose lines a logged value cannot break (module doc)."""

    def format(self, record: logging.LogRecord) -> str:
        if record.exc_info:
            record.exc_text = None  # another formatter's cached text would not be escaped
        return super().format(record)

    def formatMessage(self, record: logging.LogRecord) -> str:
        return escape(super().formatMessage(record))

    def formatException(self, ei) -> str:
        if ei[1] is None:
            return super().formatException(ei)
        rendered = traceback.TracebackException(*ei, compact=True)
        _escape_chain(rendered)
        return "".join(rendered.format()).removesuffix("\n")


def escaping(formatter: logging.Formatter | None) -> EscapingFormatter:
    """An escaping formatter with ``formatter``'s format and date format."""
    if formatter is None:
        return EscapingFormatter()
    if isinstance(formatter, EscapingFormatter):
        return formatter
    return EscapingFormatter(formatter._fmt, formatter.datefmt)


class GunicornLogger(Logger):
    """gunicorn's logger (its formats and files), every handler escaping, and the simulator's
    loggers (``simulator.*``) written to the error log at the configured level."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(escaping(handler.formatter))
        app = logging.getLogger("simulator")
        for handler in list(app.handlers):  # a configuration reload runs setup again
            app.removeHandler(handler)
        for handler in self.error_log.handlers:
            app.addHandler(handler)
        app.setLevel(self.loglevel)
        app.propagate = False


def log_to_stderr(level: str) -> None:
    """Log to stderr, escaping, at ``level`` (the command line; nothing if already set up)."""
    handler = logging.StreamHandler()
    handler.setFormatter(EscapingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler])
