"""Frame sequences on disk.

``pattern`` (frame patterns and ranges), ``images`` (boxes, windows, pixels
with their windows), ``image_read`` (plates and masks, colour), ``conform``
(a mask onto its plate's pixels), ``image_write`` (atomic half-float EXR).
"""
