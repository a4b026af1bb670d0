"""Opening a finished run for use: the run context, fitted priors and samplers, pictures."""
