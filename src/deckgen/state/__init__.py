"""Beside the flow: the incremental state (the lock, the build cache, the no-op state) and
writing files all or nothing."""
