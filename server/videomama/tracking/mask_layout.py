"""How a track's masks are laid out in its EXR files: one ``A``, one layer per object, or their union.

* One object (the usual case): a single ``A`` channel, as ``matte --mask`` reads by default.
* Several objects, ``layers`` (the default then): one channel ``<object>.A``
  per object in one file per frame, the EXR layer convention (Nuke shows
  layer ``hero``; ``matte --mask-channel hero.A`` mattes that object).
* ``merged``: one ``A`` channel, the per-pixel maximum over the objects.

``layers`` asked for explicitly names the layer even of a single object, so
a pipeline that always reads ``hero.A`` need not special-case one object.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import InputError

AUTO, LAYERS, MERGED = "auto", "layers", "merged"
OUTPUTS = (AUTO, LAYERS, MERGED)


def check_output(mode: str) -> str:
    if mode not in OUTPUTS:
        raise InputError(f"unknown objects output '{mode}'; choose {', '.join(OUTPUTS)}")
    return mode


def layer_channel(name: str) -> str:
    """The alpha channel of object ``name`` in layered masks: ``hero`` -> ``hero.A``."""
    return f"{name}.A"


@dataclass(frozen=True)
class MaskLayout:
    objects: tuple[str, ...]  # the order of the tracker's masks
    mode: str = AUTO

    @classmethod
    def of(cls, objects: Sequence[str], mode: str) -> MaskLayout:
        return cls(tuple(objects), check_output(mode))

    @property
    def layered(self) -> bool:
        return self.mode == LAYERS or (self.mode == AUTO and len(self.objects) > 1)

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(layer_channel(name) for name in self.objects) if self.layered else ("A",)

    def pixels(self, masks: np.ndarray) -> np.ndarray:
        """The tracker's (N, H, W) masks as (H, W, channels) pixels to write."""
        if self.layered:
            return np.ascontiguousarray(np.moveaxis(masks, 0, -1))
        return masks.max(axis=0)[:, :, np.newaxis]
