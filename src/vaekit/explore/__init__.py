"""Pure functions that turn a model into pictures and codes (tensors in, tensors out)."""
