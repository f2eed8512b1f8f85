"""Domain errors, one class per kind of failure a compositor must act on.

Each class says what went wrong in words a compositor understands; the CLI
prints ``str(error)`` on one line and the daemon maps the class to a gRPC
status code in one table.  Nothing else in the core raises bare exceptions
for bad input.
"""


class VideoMamaError(Exception):
    """Base of every error the core raises on purpose."""


class InputError(VideoMamaError):
    """A request or a file is malformed: bad pattern, range, size, option."""


class MissingInputError(InputError):
    """Frames or files the request needs do not exist."""


class OutputConflictError(VideoMamaError):
    """The output would overwrite an input or escape its allowed location."""


class NotAvailableError(VideoMamaError):
    """A capability exists but cannot run here (no weights, no GPU, not built yet)."""


class CancelledError(VideoMamaError):
    """The job was stopped before it finished; no partial frame was left."""
