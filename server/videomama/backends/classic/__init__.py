"""The ``classic`` CPU backend: no GPU, no weights, a real matte.

Steps, each in its own module: dense optical flow between neighbouring frames
(``flow``), repair of temporally broken mask frames from their motion-compensated
neighbours and a trimap whose band adapts to how rough the mask is
(``trimap``), grown along thin strands the plate shows past it (``detail``),
closed-form matting inside the band (``solve``), and flow-guided
temporal smoothing of the result (``temporal``).
"""
