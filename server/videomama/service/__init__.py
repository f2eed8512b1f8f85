"""The daemon's gRPC service: the only server code that imports the contract.

``server`` builds and runs it, ``servicer`` handles calls by delegating to
``videomama.jobs``, ``convert`` translates messages, ``status`` maps errors to
codes, ``auth`` checks the token.
"""
