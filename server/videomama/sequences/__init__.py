"""Frame sequences on disk: patterns, frame ranges, image read/write."""
