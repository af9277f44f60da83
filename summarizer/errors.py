"""One exception tree; the CLI maps each class to an exit code and a one-line message."""

from __future__ import annotations


class SummarizerError(Exception):
    """Base of every expected failure. `exit_code` is what the CLI exits with."""

    exit_code = 1

    def __init__(self, message: str, *, source: str | None = None):
        super().__init__(message)
        self.source = source

    def one_line(self) -> str:
        text = " ".join(str(self).split())
        return f"{self.source}: {text}" if self.source else text


class InputError(SummarizerError):
    """The article (file, record, stdin) can't be used: missing, empty, binary, malformed."""

    exit_code = 2


class ConfigError(SummarizerError):
    """Backend or model configuration is wrong: no key, bad model path, unknown mode."""

    exit_code = 3


class ProviderError(SummarizerError):
    """The model endpoint failed after retries: timeouts, 429s, 5xx, unsupported requests."""

    exit_code = 3


class OutputError(SummarizerError):
    """The output can't be written: disk full, read-only, gone. Nothing later could be written either."""

    exit_code = 3


class ExtractionError(SummarizerError):
    """The model never produced a valid record, even after re-asking."""

    exit_code = 4


class FixtureError(SummarizerError):
    """An eval fixture or run file is broken."""

    exit_code = 2
