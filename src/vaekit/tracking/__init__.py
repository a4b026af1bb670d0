"""Experiment trackers: training callbacks that also log a run to TensorBoard, MLflow, ...

Each tracker is one file here registered as ``@register("tracker", name)``; ``train.track``
names them and the trainer builds them (``vaekit.training.callbacks.trackers``). Their
packages are optional extras, imported only when a run logs.
"""
