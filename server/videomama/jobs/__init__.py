"""Jobs: the daemon's queue, workers, job state and events, without gRPC.

``JobManager`` is the entry point; the service layer converts requests into
the values used here (``MatteRequest``, ``InlineSpec``) and events back into
protobuf.  Track jobs (SAM2) will plug in as another ``JobKind`` whose work
reports through the same events.
"""
