"""Jobs: the daemon's queue, workers, job state and events, without gRPC.

``JobManager`` is the entry point; the service layer converts requests into
the values used here (``MatteRequest``, ``TrackRequest``,
``TrackThenMatteRequest``, ``InlineSpec``) and events back into protobuf.
Every job kind reports through the same events.
"""
