"""The components of the component packages, read from their source with ``ast``, not imported.

For every ``@register("kind", "name")`` on a module-level function or class it records the
module that registers the name, the builder's parameters with their literal defaults and, for a
class, the attributes its body binds to literals (what it declares), so that ``names``,
``options``, ``bind`` and ``declared`` answer without importing a component (and torch with it).
Where the source cannot tell the signature (no ``__init__`` of its own, another decorator, a
default that is not a literal) the parameters are None and the registry imports that one module.
A module that registers in any other way (``register_variant(Variant(...))``, a register call
with computed names) is *opaque*: the registry imports it before answering anything.
"""

from __future__ import annotations

import ast
import inspect
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

# (name, default) of each parameter a builder takes by name, in order; inspect's ``empty`` marks
# a parameter without a default, exactly as ``inspect.signature`` does.
Params = tuple[tuple[str, Any], ...]
# (name, constraint) of each parameter annotated with a type of ``vaekit.registry.constraints``.
Checks = tuple[tuple[str, str], ...]
CONSTRAINTS_MODULE = "vaekit.registry.constraints"


@dataclass(frozen=True)
class Entry:
    """Where ``(kind, name)`` is registered, its builder's parameters (None: import to see) and
    the declared value types of those that have one."""

    module: str
    params: Params | None
    checks: Checks = ()
    declared: Params = ()  # a registered class's attributes bound to literals in its body


@dataclass(frozen=True)
class Index:
    entries: dict[str, dict[str, Entry]]  # kind -> name -> entry
    opaque: tuple[str, ...]  # modules to import before any answer


class Module:
    """One parsed module: its classes, its literal constants and the names it imports."""

    def __init__(self, name: str, source: str) -> None:
        self.name, self.tree = name, ast.parse(source)
        self.classes = {n.name: n for n in self.tree.body if isinstance(n, ast.ClassDef)}
        self.imported = {a.asname or a.name: (n.module, a.name) for n in self.tree.body
                         if isinstance(n, ast.ImportFrom) and n.module and not n.level
                         for a in n.names}
        self.constants = _constants(self.tree)


def _constants(tree: ast.Module) -> dict[str, Any]:
    """Module-level ``NAME = literal`` (and ``A, B = 1, 2``) bound once, by name."""
    seen: dict[str, int] = {}
    values: dict[str, Any] = {}
    for node in tree.body:
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            pairs = [(target, node.value)]
            if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple) \
                    and len(target.elts) == len(node.value.elts):
                pairs = list(zip(target.elts, node.value.elts, strict=True))
            for name, value in pairs:
                if not isinstance(name, ast.Name):
                    continue
                seen[name.id] = seen.get(name.id, 0) + 1
                try:
                    values[name.id] = ast.literal_eval(value)
                except (ValueError, TypeError, SyntaxError):
                    values.pop(name.id, None)
    return {k: v for k, v in values.items() if seen[k] == 1}


def _register_args(node: ast.expr) -> tuple[str, str] | None:
    """``("kind", "name")`` when ``node`` is ``register("kind", "name")`` with literal strings."""
    if not (isinstance(node, ast.Call) and _registers(node) and len(node.args) == 2
            and not node.keywords):
        return None
    kind, name = (a.value if isinstance(a, ast.Constant) else None for a in node.args)
    return (kind, name) if isinstance(kind, str) and isinstance(name, str) else None


def _registers(call: ast.Call) -> bool:
    """A call of ``register``, ``registry.register`` or a helper named ``register_*``."""
    func = call.func
    return (isinstance(func, ast.Name) and func.id.startswith("register")) or \
        (isinstance(func, ast.Attribute) and func.attr == "register")


class Reader:
    """Reads builder signatures, following a class's single base into other vaekit modules."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.parsed: dict[str, Module | None] = {}

    def parse(self, name: str, path: Path) -> Module:
        module = self.parsed.get(name) or Module(name, path.read_text(encoding="utf-8"))
        self.parsed[name] = module
        return module

    def module(self, name: str) -> Module | None:
        """A vaekit module by dotted name, parsed once (None outside vaekit)."""
        if name not in self.parsed:
            path = self._path(name)
            self.parsed[name] = None if path is None else Module(name, path.read_text(encoding="utf-8"))
        return self.parsed[name]

    def _path(self, name: str) -> Path | None:
        parts = name.split(".")
        if parts[0] != "vaekit":
            return None
        base = self.root.joinpath(*parts[1:])
        for path in (base.with_suffix(".py"), base / "__init__.py"):
            if path.is_file():
                return path
        return None

    def signature(self, module: Module, node: ast.FunctionDef | ast.ClassDef,
                  depth: int = 0) -> tuple[Params, Checks] | None:
        """The parameters ``inspect.signature`` would give and their declared value types,
        when the source shows them."""
        if depth > 8 or any(_register_args(d) is None for d in node.decorator_list):
            return None  # another decorator may change what is registered or its signature
        if isinstance(node, ast.FunctionDef):
            return _signature(node.args, module, drop_first=False)
        if node.keywords or len(node.bases) > 1:
            return None  # a metaclass or several bases decide the call
        methods = {s.name: s for s in node.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))}
        if "__new__" in methods:
            return None
        init = methods.get("__init__")
        if init is not None:
            return None if init.decorator_list else _signature(init.args, module, True)
        if not node.bases:
            return (), ()  # object's: no parameters
        found = self._class(module, node.bases[0])
        return self.signature(*found, depth=depth + 1) if found else None

    def _class(self, module: Module, base: ast.expr) -> tuple[Module, ast.ClassDef] | None:
        if not isinstance(base, ast.Name):
            return None
        if base.id in module.classes:
            return module, module.classes[base.id]
        where = module.imported.get(base.id)
        other = self.module(where[0]) if where else None
        if other is None or where is None or where[1] not in other.classes:
            return None
        return other, other.classes[where[1]]


def _signature(args: ast.arguments, module: Module, drop_first: bool) -> tuple[Params, Checks] | None:
    """The named parameters of ``args`` with their defaults (None if a default is not a literal),
    and the constraint each one annotated with a type of ``CONSTRAINTS_MODULE`` declares."""
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
    pairs = [*zip(positional, [*defaults, *args.defaults], strict=True),
             *zip(args.kwonlyargs, args.kw_defaults, strict=True)]
    if drop_first:
        pairs = pairs[1:]
    checks = []
    for arg, _ in pairs:
        note = arg.annotation
        where = module.imported.get(note.id) if isinstance(note, ast.Name) else None
        if where is not None and where[0] == CONSTRAINTS_MODULE:
            checks.append((arg.arg, where[1]))
    params = _params(pairs, module.constants)
    return None if params is None else (params, tuple(checks))


def _params(pairs: list[tuple[ast.arg, ast.expr | None]], constants: dict[str, Any]) -> Params | None:
    """Each parameter with its literal default; None if a default is not a literal."""
    out = []
    for arg, default in pairs:
        if default is None:
            value = inspect.Parameter.empty
        elif isinstance(default, ast.Name) and default.id in constants:
            value = constants[default.id]
        else:
            try:
                value = ast.literal_eval(default)
            except (ValueError, TypeError, SyntaxError):
                return None
        out.append((arg.arg, value))
    return tuple(out)


def _declared(node: ast.FunctionDef | ast.ClassDef, constants: dict[str, Any]) -> Params:
    """``(name, value)`` of each attribute a class body binds to a literal (``binarizes = True``),
    what it declares it can do; none for a function."""
    if not isinstance(node, ast.ClassDef):
        return ()
    out = []
    for stmt in node.body:
        target, value = None, None
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target, value = stmt.targets[0], stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            target, value = stmt.target, stmt.value
        if not isinstance(target, ast.Name) or value is None:
            continue
        if isinstance(value, ast.Name) and value.id in constants:
            out.append((target.id, constants[value.id]))
            continue
        try:
            out.append((target.id, ast.literal_eval(value)))
        except (ValueError, TypeError, SyntaxError):
            continue
    return tuple(out)


def scan_module(reader: Reader, module: Module) -> tuple[dict[tuple[str, str], Entry], bool]:
    """The entries one module registers, and whether it is opaque (registers otherwise too)."""
    found: dict[tuple[str, str], Entry] = {}
    literal: set[int] = set()
    for node in module.tree.body:
        if not isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            continue
        for deco in node.decorator_list:
            key = _register_args(deco)
            if key is not None:
                literal.add(id(deco))
                sig = reader.signature(module, node)
                entry = Entry(module.name, None) if sig is None else Entry(module.name, *sig)
                found[key] = replace(entry, declared=_declared(node, module.constants))
    opaque = any(isinstance(n, ast.Call) and _registers(n) and id(n) not in literal
                 for n in ast.walk(module.tree))
    return found, opaque


def _modules(directory: Path, package: str) -> list[tuple[str, Path]]:
    """``package`` and every module under it, as ``pkgutil.walk_packages`` finds them."""
    out = [(package, directory / "__init__.py")]
    for path in sorted(directory.iterdir()):
        if path.suffix == ".py" and path.name != "__init__.py":
            out.append((f"{package}.{path.stem}", path))
        elif path.is_dir() and (path / "__init__.py").is_file():
            out += _modules(path, f"{package}.{path.name}")
    return out


def build_index(root: Path, packages: tuple[str, ...]) -> Index:
    """Scan the packages (dotted names under the ``vaekit`` folder ``root``)."""
    entries: dict[str, dict[str, Entry]] = {}
    opaque = []
    reader = Reader(root)
    for package in packages:
        directory = root.joinpath(*package.split(".")[1:])
        for name, path in _modules(directory, package):
            module = reader.parse(name, path)
            found, is_opaque = scan_module(reader, module)
            if is_opaque:
                opaque.append(name)
            for (kind, name), entry in found.items():
                table = entries.setdefault(kind, {})
                if name in table:
                    raise ValueError(f"{kind} {name!r} is registered twice")
                table[name] = entry
    return Index(entries, tuple(opaque))
