"""Masks for a shot from a few prompts: mask keyframes (flow tracker), clicks or boxes (SAM2)."""
