"""Matting on the farm managers studios already run: OpenJD (Deadline Cloud) and OpenCue.

Nothing here schedules work.  The modules describe one job shape,
``matte (one task per chunk, in parallel) -> finalize``, for each manager:

* ``job``: the farm job as a validated ``MatteRequest`` plus chunking, and the
  ``videomama matte`` arguments every task runs with;
* ``chunks``: how a frame range is cut into task ranges;
* ``openjd``: the Open Job Description template and Deadline Cloud bundle;
* ``opencue``: the same graph as a PyOutline outline (imported lazily);
* ``session_worker``: one matting daemon per farm session, so a model is
  loaded once per worker rather than once per chunk;
* ``finalize``: the last task's check that every frame is there, and the manifest.

Results do not depend on chunking because every task passes the whole shot
(``--shot``) and the engine lays its windows on the shot's own frame grid.
"""
