"""How a matte is computed, as the caller states it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from videomama_proto.v1 import videomama_pb2 as pb


@dataclass(frozen=True)
class MatteSettings:
    """None means "the daemon's default", so clients never duplicate defaults."""

    backend: str = "auto"
    window: int | None = None  # frames per window
    overlap: int | None = None  # frames shared by neighbouring windows
    colorspace: str | None = None  # the plate's colour space
    options: Mapping[str, str] = field(default_factory=dict)  # backend options, NAME -> VALUE

    def to_proto(self) -> pb.MatteSettings:
        return pb.MatteSettings(
            backend=self.backend,
            window=self.window or 0,
            overlap=self.overlap,  # None leaves the optional field unset
            colorspace=self.colorspace or "",
            options={name: str(value) for name, value in self.options.items()},
        )
