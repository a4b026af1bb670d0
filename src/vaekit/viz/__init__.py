"""Pictures of a model: image grids (pure: arrays in, arrays out)."""
