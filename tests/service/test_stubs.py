"""The committed protobuf/gRPC stubs are exactly what the .proto generates."""

import importlib.util
from pathlib import Path

PROTO_ROOT = Path(__file__).resolve().parents[2] / "proto"


def load_generator():
    spec = importlib.util.spec_from_file_location("proto_generate", PROTO_ROOT / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_stubs_match_the_proto():
    stale = load_generator().stale_stubs()
    assert stale == [], f"stale stubs {stale}: run `python proto/generate.py` and commit the result"


def test_generated_imports_use_the_contract_package():
    grpc_stub = (PROTO_ROOT / "videomama_proto" / "v1" / "videomama_pb2_grpc.py").read_text()
    assert "from videomama_proto.v1 import videomama_pb2" in grpc_stub
