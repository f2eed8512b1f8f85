"""The learned VideoMaMa backend (one-step SVD UNet).

Not available yet: the model integration is tracked as its own piece of work.
The entry exists so ``videomama info`` and ``--backend videomama`` say so
plainly instead of failing with an unknown-backend error.
"""

from __future__ import annotations

from typing import ClassVar

from .base import Availability, BackendOption


class VideoMamaBackend:
    identifier: ClassVar[str] = "videomama"
    display_name: ClassVar[str] = "VideoMaMa (one-step video diffusion, GPU)"
    options: ClassVar[tuple[BackendOption, ...]] = ()

    @classmethod
    def availability(cls) -> Availability:
        return Availability(False, "not available yet: the learned VideoMaMa backend is not built in this version")
