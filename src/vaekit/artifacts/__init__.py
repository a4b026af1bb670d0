"""Everything that touches a run folder: atomic writes, model files, checkpoints, metrics."""
