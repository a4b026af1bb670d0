"""Evaluation: held-out ELBO and latent diagnostics (reuses the training objective's code)."""
