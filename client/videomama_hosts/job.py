"""By-reference jobs: absolute patterns the daemon reads and writes.

Built by each plugin from its own settings; turned into a daemon job only
once the client has loaded, which ``submit`` is handed (so this module never
imports it).  ``MatteJob`` mattes with a mask sequence; ``TrackThenMatteJob``
has the daemon track the masks from prompts first, in the same job.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields

from .tracking import TrackPrompts


@dataclass(frozen=True)
class MatteJob:
    """A by-reference job: absolute patterns the daemon reads and writes."""

    plate: str
    mask: str
    output: str
    frames: tuple[int, int]
    backend: str = "auto"
    window: int | None = None
    overlap: int | None = None
    colorspace: str | None = None
    # The mask file's channel to read; None leaves it to the daemon, which
    # takes the only channel of a one-channel EXR.
    mask_channel: str | None = None
    options: Mapping[str, str] = field(default_factory=dict)

    def settings(self, client_module):
        return client_module.MatteSettings(
            backend=self.backend, window=self.window, overlap=self.overlap,
            colorspace=self.colorspace, options=dict(self.options),
        )

    def submit(self, client, client_module):
        """Start the job on ``client`` (a ``client_module.Client``); returns its event stream."""
        # The shot is exactly the rendered range: the daemon lays its windows
        # over these frames only, as it would for any sequence on disk.
        extra = {} if self.mask_channel is None else {"mask_channel": self.mask_channel}
        return client.submit_matte(
            self.plate, self.mask, self.output, frames=self.frames, shot=self.frames,
            settings=self.settings(client_module), **extra,
        )


@dataclass(frozen=True)
class TrackThenMatteJob(MatteJob):
    """Masks tracked from ``prompts`` into ``tracked``, then matted, as one daemon job.

    ``mask`` is the pattern of the rendered mask keyframes, whose files (one
    per keyframe of ``prompts``) are ``keyframe_files``.
    """

    prompts: TrackPrompts = TrackPrompts()
    keyframe_files: Mapping[int, str] = field(default_factory=dict)
    tracked: str = ""  # where the tracked masks go ("": the daemon's default, beside the output)

    def submit(self, client, client_module):
        # The tracked frames are the matte's shot, exactly the rendered range.
        return client.submit_matte(
            self.plate, self.prompts.settings(client_module, self.keyframe_files), self.output,
            frames=self.frames, shot=self.frames, settings=self.settings(client_module),
            track_output=self.tracked or None,
        )


def track_first(
    matte: MatteJob, prompts: TrackPrompts, keyframe_files: Mapping[int, str], tracked: str = ""
) -> TrackThenMatteJob:
    """``matte`` (plate, output, frames, settings) with its masks tracked from ``prompts`` first."""
    values = {f.name: getattr(matte, f.name) for f in fields(MatteJob)}
    # Tracked masks have one channel, which the daemon finds; it refuses a channel for them.
    values["mask_channel"] = None
    return TrackThenMatteJob(**values, prompts=prompts, keyframe_files=dict(keyframe_files), tracked=tracked)
