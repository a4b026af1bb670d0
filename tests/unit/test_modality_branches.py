"""No consumer branches on the data's modality: the modality (image, table, counts) is a
registered component that declares what it can do, and a consumer asks it (principles 9, 12).

The source of every consumer module is parsed and searched for what used to stand in for the
modality: a comparison with a modality's name (``ds.kind == "image"``), an ``is_image`` flag, a
``codec is None`` test, or the rank of an example shape (``len(shape) == 3``) that chooses a
path. A shape check whose only outcome is an error is a guard, not a branch, and is allowed."""

from __future__ import annotations

import ast
from pathlib import Path

from vaekit import registry
from vaekit.data.modalities import LEGACY

SRC = Path(__file__).resolve().parents[2] / "src" / "vaekit"
# The modules of the data package that use data sets rather than make them: consumers too.
DATA_CONSUMERS = {"__init__.py", "spec.py", "validate.py", "likelihood_choice.py", "validation.py"}
NAMES = {*registry.names("modality"), *LEGACY}
HOLDERS = {"kind", "modality", "name", "renders_as"}  # what holds a modality's name


def _consumers() -> list[Path]:
    """Every module outside the modality files and the data sources themselves."""
    out = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC)
        if rel.parts[0] == "data" and (rel.parts[1] == "modalities" or len(rel.parts) > 2
                                       or rel.name not in DATA_CONSUMERS):
            continue
        out.append(path)
    return out


def _ident(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _strings(node: ast.AST) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return {e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
    return set()


def _rank_probe(node: ast.Compare) -> bool:
    """``len(<...>shape) == k``: the rank of an example's shape."""
    left = node.left
    return (isinstance(left, ast.Call) and _ident(left.func) == "len" and len(left.args) == 1
            and (_ident(left.args[0]) or "").endswith("shape")
            and all(isinstance(c, ast.Constant) and isinstance(c.value, int) for c in node.comparators))


def _guards(tree: ast.AST) -> set[int]:
    """ids of the nodes inside the test of an ``if`` whose body only raises."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and len(node.body) == 1 and isinstance(node.body[0], ast.Raise) \
                and not node.orelse:
            out |= {id(n) for n in ast.walk(node.test)}
    return out


def branches(source: str) -> list[str]:
    """``line: what`` for each place ``source`` branches on the data's modality."""
    tree = ast.parse(source)
    guards = _guards(tree)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if _ident(node) == "is_image":
            found.append((node.lineno, "an is_image flag"))  # type: ignore[attr-defined]
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        named = {_ident(s) for s in sides}
        if any(isinstance(op, (ast.Is, ast.IsNot)) for op in node.ops) and "codec" in named \
                and any(isinstance(s, ast.Constant) and s.value is None for s in sides):
            found.append((node.lineno, "a codec-is-None test"))
        if named & HOLDERS and any(_strings(s) & NAMES for s in sides):
            found.append((node.lineno, "a comparison with a modality's name"))
        if _rank_probe(node) and id(node) not in guards:
            found.append((node.lineno, "the rank of an example shape chooses a path"))
    return [f"{line}: {what}" for line, what in sorted(found)]


def test_the_checker_catches_each_kind_of_branch():
    source = '''
if ds.kind == "image":
    pass
mode = "none" if spec.kind in ("tabular", "counts") else "dynamic"
if ctx.is_image:
    pass
rows = x if self.codec is not None else None
square = len(model.shape) == 3 and True
'''
    found = [line.split(":")[0] for line in branches(source)]
    assert found == ["2", "4", "5", "7", "8"], branches(source)


def test_the_checker_allows_declared_capabilities_and_guards():
    source = '''
mode = modality.input_binarization(cfg.data.binarize)
if not ctx.modality.pictures:
    raise UserError("needs an image run")
if len(model.shape) != 3:
    raise UserError("this model's data are rows")
fmt = "png" if req.format == "png" else "json"
'''
    assert branches(source) == []


def test_no_consumer_branches_on_the_modality():
    wrong = [f"{path.relative_to(SRC)}:{hit}" for path in _consumers()
             for hit in branches(path.read_text(encoding="utf-8"))]
    assert not wrong, "consumers that branch on the modality (ask what it declares):\n" + \
        "\n".join(wrong)


def test_every_modality_declares_the_whole_protocol():
    """What consumers ask is declared by each modality, and its render and view exist."""
    from vaekit.data.modalities.base import Modality

    wanted = {n for n, v in Modality.__annotations__.items()}
    for name in registry.names("modality"):
        declared = registry.declared("modality", name)
        assert wanted <= set(declared), (name, wanted - set(declared))
        assert declared["name"] == name
        assert declared["renders_as"] in registry.names("render"), name
        assert declared["renders_as"] in registry.names("view"), name
