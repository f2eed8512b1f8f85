"""The VideoMaMa daemon contract: generated protobuf and gRPC stubs, by version.

Import the version you speak, e.g. ``from videomama_proto.v1 import
videomama_pb2, videomama_pb2_grpc``.  This package depends on grpcio and
protobuf only, so host plugins can use it without the server.
"""
