"""The registry's source index agrees with the live registry, and falls back where it cannot tell."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import sys
import typing
from pathlib import Path

import pytest

from vaekit import registry
from vaekit.errors import ConfigError
from vaekit.registry.index import Entry, Index, Module, Reader, scan_module


def _import_everything() -> None:
    """What the registry did before it had an index: import every module of the packages."""
    for package in registry._COMPONENT_PACKAGES:
        pkg = importlib.import_module(package)
        for info in pkgutil.walk_packages(pkg.__path__, prefix=f"{package}."):
            importlib.import_module(info.name)


def test_index_matches_the_live_registry():
    index = registry._index()
    _import_everything()
    live = {(kind, name): obj for kind, table in registry._REGISTRY.items()
            for name, obj in table.items()}
    indexed = {(kind, name): e for kind, table in index.entries.items() for name, e in table.items()}
    # Every function or class registered with @register is in the index, in the right module
    # (variants register instances, from the opaque modules imported before any answer).
    builders = {k for k, obj in live.items() if inspect.isfunction(obj) or inspect.isclass(obj)}
    assert builders == set(indexed)
    assert all(live[k].__module__ == e.module for k, e in indexed.items())
    assert {k for k in live if k not in indexed} <= {("variant", n) for n in registry.names("variant")}
    # The source tells every builder's parameters today, and they are inspect's, defaults too.
    assert [k for k, e in indexed.items() if e.params is None] == []
    wrong = {k: (e.params, registry.parameters(live[k])) for k, e in indexed.items()
             if e.params != registry.parameters(live[k])}
    assert not wrong
    assert registry.options("latent", "vector_quantized")["codebook_size"] == 128  # a constant
    assert registry.options("likelihood", "bernoulli") == {}  # inherited from Likelihood


def _scan(source: str) -> tuple[dict, bool]:
    return scan_module(Reader(Path(registry.__file__).parents[1]), Module("m", source))


def test_the_source_tells_or_says_it_cannot():
    found, opaque = _scan(
        "from vaekit.registry import register\nfrom vaekit.dists.likelihoods.base import Likelihood\n"
        "SIZE = 7\n"
        "@register('arch', 'f')\ndef f(shape, decoder_in, *, width: int = SIZE, **kw): ...\n"
        "@register('arch', 'g')\ndef g(shape, act=len): ...\n"
        "@register('likelihood', 'l')\nclass L(Likelihood):\n    pass\n"
        "@register('likelihood', 'm')\nclass M(Other):\n    pass\n"
        "@register('objective', 'o')\n@dataclass\nclass O:\n    beta: float = 1.0\n"
        "@register('objective', 'p')\nclass P:\n    def __init__(self, k=(1, -2)):\n"
        "        self.register_buffer('x', k)\n")
    empty = inspect.Parameter.empty
    assert found[("arch", "f")] == Entry("m", (("shape", empty), ("decoder_in", empty),
                                               ("width", 7)))
    assert found[("likelihood", "l")].params == ()  # Likelihood.__init__(self)
    assert found[("objective", "p")].params == (("k", (1, -2)),)
    # A non-literal default, an unknown base, another decorator: import the module to see.
    assert [found[k].params for k in [("arch", "g"), ("likelihood", "m"), ("objective", "o")]] == \
        [None, None, None]
    assert not opaque  # register_buffer is no registration
    for source in ("register_variant(Variant(name='x'))", "register('a', NAME)(f)",
                   "def f():\n    @register('a', 'b')\n    def g(): ...\n"):
        assert _scan(source)[1], source


def test_options_fall_back_to_importing_the_one_module(monkeypatch):
    """Where the index has no parameters, ``options`` imports the module and asks inspect."""
    real = registry._index()
    module = real.entries["objective"]["iwae"].module
    blind = {**real.entries, "objective": {**real.entries["objective"], "iwae": Entry(module, None)}}
    monkeypatch.setattr(registry, "_built", Index(blind, real.opaque))
    monkeypatch.setattr(registry, "_REGISTRY", {k: {n: o for n, o in t.items() if n != "iwae"}
                                                for k, t in registry._REGISTRY.items()})
    package, _, leaf = module.rpartition(".")
    monkeypatch.setattr(sys.modules[package], leaf, sys.modules[module])  # restored afterwards
    monkeypatch.delitem(sys.modules, module)  # so that importing it registers it again
    assert registry.options("objective", "iwae") == {"k": 5, "gradient": "standard"}
    assert module in sys.modules and "iwae" in registry._REGISTRY["objective"]
    with pytest.raises(ConfigError, match=r"unknown objective 'iwea' \(valid: .*iwae"):
        registry.get("objective", "iwea")


def test_declared_value_types_are_read_from_the_source_and_checked_by_bind():
    index = registry._index()
    _import_everything()
    from vaekit.registry.constraints import CONSTRAINTS

    # The index reads the same constraints the live annotations carry, for every builder.
    for kind, table in index.entries.items():
        for name, entry in table.items():
            obj = registry._REGISTRY[kind][name]
            hints = typing.get_type_hints(obj.__init__ if inspect.isclass(obj) else obj,
                                          include_extras=True)
            live = tuple((p, c) for p, hint in hints.items() for c, t in CONSTRAINTS.items()
                         if hint == t and p != "return")
            assert entry.checks == live, (kind, name)
    assert ("k", "AtLeastOne") in index.entries["objective"]["iwae"].checks
    found, _ = _scan("from vaekit.registry import register\n"
                     "from vaekit.registry.constraints import Positive\n"
                     "@register('likelihood', 'q')\ndef q(sigma: Positive = 1.0, n: int = 2): ...\n")
    assert found[("likelihood", "q")].checks == (("sigma", "Positive"),)
    assert registry.bind("objective", "iwae", {"k": 3}) == {"k": 3}
    for args, why in [({"k": 0}, "k should be greater than or equal to 1, got 0"),
                      ({"k": 2.0}, "k should be a valid integer, got 2.0"),
                      ({"k": True}, "k should be a valid integer, got True")]:
        with pytest.raises(ConfigError, match=re.escape(f"objective 'iwae': {why}")):
            registry.bind("objective", "iwae", args)
    with pytest.raises(ConfigError, match="kl_schedule should be 'linear', 'cyclical' or 'adaptive'"):
        registry.bind("objective", "elbo", {"kl_schedule": "cosine"})
    with pytest.raises(ConfigError, match="sigma should be greater than 0, got -1"):
        registry.bind("likelihood", "gaussian", {"sigma": -1})
