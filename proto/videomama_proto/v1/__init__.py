"""Contract version 1 (proto package ``videomama.v1``); stubs from ``proto/generate.py``."""
