"""Stage 1: reading and checking source files: YAML with positions, plain-English messages,
files read safely."""
