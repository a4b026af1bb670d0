"""The architecture as a test: data flows one way through the packages, with no import cycles,
and no consumer names a concrete latent, prior or sampler class."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from vaekit import registry

SRC = Path(__file__).resolve().parents[2] / "src" / "vaekit"

# Lower layers first; a module may import its own layer and the layers below it, never above.
LAYERS = [
    {"errors", "registry", "config", "variants", "resources", "inputs"},
    {"data"},
    {"nn", "dists"},
    {"model"},
    {"objectives"},
    {"eval", "explore", "samplers"},
    {"store"},
    {"training"},
    {"artifacts", "viz", "report", "tracking"},
    {"cli", "serve"},
]
LAYER = {pkg: i for i, layer in enumerate(LAYERS) for pkg in layer}
# The packages that consume components through their declared protocols.
CONSUMERS = ["eval", "explore", "samplers/base.py", "samplers/labels.py", "objectives", "store",
             "training", "artifacts", "viz", "report", "tracking", "cli", "serve"]


def _modules() -> dict[str, Path]:
    out = {}
    for path in SRC.rglob("*.py"):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _imports(path: Path) -> set[str]:
    """Every vaekit module ``path`` imports, at module level or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("vaekit")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("vaekit"):
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return found


def _package(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def test_every_package_has_a_layer():
    packages = {_package(m) for m in _modules()} - {None, "__main__"}
    assert packages <= set(LAYER), f"packages without a layer: {packages - set(LAYER)}"


def test_no_module_imports_a_higher_layer():
    modules = _modules()
    wrong = []
    for name, path in modules.items():
        mine = _package(name)
        if mine in (None, "__main__"):
            continue  # the top-level API sits above every layer
        for target in _imports(path):
            theirs = _package(target)
            if target in modules and theirs is not None and LAYER[theirs] > LAYER[mine]:
                wrong.append(f"{name} -> {target}")
    assert not wrong, "imports against the flow of data:\n" + "\n".join(sorted(wrong))


def test_no_import_cycles():
    modules = _modules()
    graph = {m: {t for t in _imports(p) if t in modules and t != m} for m, p in modules.items()}
    # A package imports its __init__ on the way to a submodule; only module-to-module edges count.
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for t in graph[m]:
            if state.get(t) == 1 and not m.startswith(t + "."):
                cycles.append([*stack[stack.index(t):], t])
            elif t not in state:
                visit(t)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def _concrete_classes() -> set[str]:
    """The classes of every registered latent, prior and sampler, and what their builders
    return (a prior registered as a function returns a class of its own)."""
    names = set()
    for kind in ("latent", "prior", "sampler"):
        for name in registry.names(kind):
            obj = registry.get(kind, name)
            names.add(obj.__name__)
            ret = getattr(obj, "__annotations__", {}).get("return")
            ret = ret.__name__ if isinstance(ret, type) else ret
            if isinstance(ret, str) and re.fullmatch(r"[A-Z]\w+", ret):
                names.add(ret)
    names |= {"UniformCodes", "LadderPrior", "Quantized", "PointMass", "LadderPosterior"}
    return {n for n in names if n[0].isupper()}


def _consumer_lines(pattern: re.Pattern[str]) -> list[str]:
    """``file:line: text`` of every line of the consumer packages that ``pattern`` matches."""
    hits = []
    for consumer in CONSUMERS:
        root = SRC / consumer
        for path in [root] if root.suffix == ".py" else root.rglob("*.py"):
            for i, line in enumerate(path.read_text().splitlines(), 1):
                if pattern.search(line):
                    hits.append(f"{path.relative_to(SRC)}:{i}: {line.strip()}")
    return hits


def test_no_consumer_names_a_concrete_component():
    classes = _concrete_classes()
    assert {"StandardNormal", "CodeTransformer", "GaussianMixtureSampler", "VectorQuantizer"} <= classes
    hits = _consumer_lines(re.compile(r"\b(" + "|".join(sorted(classes)) + r")\b"))
    assert not hits, "consumers naming concrete components:\n" + "\n".join(hits)


def test_consumers_declare_rather_than_probe():
    """No hasattr/getattr probing of a model, its latent, prior or posterior outside components."""
    probe = re.compile(r"\b(hasattr|getattr)\((model|q|posterior|latent|prior|self\.model|"
                       r"rd\.model|ctx\.model|model\.(latent|prior|conditioner))\b")
    hits = _consumer_lines(probe)
    assert not hits, "probing instead of declared capabilities:\n" + "\n".join(hits)
