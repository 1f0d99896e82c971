"""Stage 2: the kinds of note file, a cards folder read as them, and the notes they make."""
