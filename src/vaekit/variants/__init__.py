"""Variants: named compositions of registered parts (presets), one small file each.

How a variant works (follow this pattern to add one):

- A variant is a :class:`~vaekit.variants.base.Variant`: a name, a one-line summary, and
  ``defaults``, a mapping ``section -> key -> value`` of ordinary config keys. It is registered
  with ``register_variant(Variant(...))`` in ``vaekit/variants/<name>.py``; the registry finds
  the file itself.
- A config selects it with ``model.variant: <name>`` (``--set model.variant=iwae``; default
  ``vae``). Before validation (``Config`` and ``config_errors`` both call ``apply_variant``), the
  variant's defaults are filled in wherever the user's config does not set the key: the user
  always wins. The resolved config (``config.json``) then holds every key explicitly, so a saved
  run rebuilds the same model even if a preset changes later.
- A variant never subclasses or copies the VAE. It names registered parts (``model.latent``,
  ``model.conditioner``, ``objective.name``, ...) and sets their options; when it needs a new
  part, that part is ONE registered component in its own file (a latent, an objective, a
  conditioner, a prior), named in ``new_component``; its options are its own
  ``<kind>_args``, so no config schema changes.
- The contract suite (``tests/contracts/test_variants.py``) runs every registered variant:
  build, finite forward, loss falls, save -> load identical, sample shape. A new variant joins it
  by being registered; nothing else to add.

Example (``variants/iwae.py``)::

    register_variant(Variant(
        name="iwae", summary="importance-weighted bound with K samples",
        defaults={"objective": {"name": "iwae", "k": 5}},
        new_component="objective iwae", paper="Burda et al. 2016"))
"""

from vaekit.variants.base import Variant, apply_variant, register_variant

__all__ = ["Variant", "apply_variant", "register_variant"]
