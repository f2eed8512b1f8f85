"""The learned VideoMaMa backend: one step of a mask-conditioned SVD UNet.

Modules, each with one job:

* ``models``    where the weights live, what is installed, how to fetch them (no torch)
* ``devices``   cheap GPU probe for ``availability()``; device and dtype choice
* ``loading``   ``from_pretrained`` of the VAE and UNet onto a device
* ``seeding``   per-frame random streams, so a frame's noise never depends on its window
* ``pipeline``  the one-step inference on model-size tensors (encode, UNet, decode)
* ``geometry``  region of interest, model size policy, crop in and paste back
* ``upsample``  edge-aware (guided) upsampling of alpha to plate resolution
* ``memory``    GPU memory budget and the out-of-memory test
* ``backend``   the ``MattingBackend`` that ties them together

Nothing here imports torch at import time: listing backends stays cheap.
"""
