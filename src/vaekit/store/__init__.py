"""The files of a run folder: atomic writes, config + weights, checkpoints, metrics, the folder.

Below training in the layering (training writes its run through it); everything that opens a
finished run for use is ``vaekit.artifacts.run_context``.
"""
