"""The .pyi stubs describe exactly the module: the same public names, the
same members per class, and the same parameters (names, order, keyword-only
marker, defaults) for every Engine method."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

import crm

STUB = Path(crm.__file__).with_name("__init__.pyi")
TREE = ast.parse(STUB.read_text(encoding="utf-8"))
CLASSES = {n.name: n for n in TREE.body if isinstance(n, ast.ClassDef)}


def stub_public_names():
    names = set()
    for node in TREE.body:
        if isinstance(node, ast.ClassDef) or isinstance(node, ast.FunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return {n for n in names if not n.startswith("_") or n == "__version__"}


def stub_members(cls_name):
    """name -> "property" | "method" | "attribute", bases within the stub included."""
    members = {}
    node = CLASSES[cls_name]
    for base in node.bases:
        if isinstance(base, ast.Name) and base.id in CLASSES:
            members.update(stub_members(base.id))
    for item in node.body:
        if isinstance(item, ast.FunctionDef):
            decorators = {d.id for d in item.decorator_list if isinstance(d, ast.Name)}
            kind = "property" if "property" in decorators else "method"
            if "overload" in decorators and item.name in members:
                continue
            members[item.name] = kind
        elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
            members[item.target.id] = "attribute"
    return members


def public(names):
    return {n for n in names if not n.startswith("_")}


def test_module_and_stub_export_the_same_names():
    assert stub_public_names() == set(crm.__all__)
    defined_here = {
        n for n, v in vars(crm).items()
        if not n.startswith("_") and getattr(v, "__module__", "").startswith("crm")
    }
    assert defined_here <= set(crm.__all__), "a public name is missing from __all__"
    for name in crm.__all__:
        assert hasattr(crm, name)


@pytest.mark.parametrize("name", sorted(n for n in crm.__all__
                                        if isinstance(getattr(crm, n), type)
                                        and not issubclass(getattr(crm, n), crm.Error)))
def test_class_members_match(name):
    cls = getattr(crm, name)
    stub = stub_members(name)
    runtime = public(dir(cls))
    assert public(stub) == runtime
    for member in runtime:
        is_property = isinstance(inspect.getattr_static(cls, member), property)
        assert (stub[member] == "property") == is_property, member
    if "__fields__" in dir(cls):
        assert set(cls.__fields__) <= runtime


@pytest.mark.parametrize("name", sorted(n for n in crm.__all__
                                        if isinstance(getattr(crm, n), type)
                                        and issubclass(getattr(crm, n), crm.Error)))
def test_error_classes_match(name):
    cls = getattr(crm, name)
    stub_bases = {b.id for b in CLASSES[name].bases if isinstance(b, ast.Name)}
    assert stub_bases == {b.__name__ for b in cls.__bases__}
    e = crm.Error("m", "f")
    for attr in public(stub_members("Error")):
        assert hasattr(e, attr)


def pybind_params(method):
    """[(name, default text or None, keyword_only)] from a pybind11 signature."""
    first = method.__doc__.splitlines()[0]
    inner = first[first.index("(") + 1: first.rindex(") ->")]
    params, kw_only = [], False
    for part in re.split(r", (?=[\w*])", inner):
        if part == "*":
            kw_only = True
            continue
        name, _, rest = part.partition(": ")
        default = rest.split(" = ", 1)[1] if " = " in rest else None
        if name != "self":
            params.append((name, default, kw_only))
    return params


def stub_params(func: ast.FunctionDef):
    args = func.args
    out = []
    positional = args.posonlyargs + args.args
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    for a, d in zip(positional, defaults):
        if a.arg != "self":
            out.append((a.arg, d, False))
    for a, d in zip(args.kwonlyargs, args.kw_defaults):
        out.append((a.arg, d, True))
    return out


def literal(node_or_text):
    if node_or_text is None:
        return "<required>"
    if isinstance(node_or_text, str):
        return ast.literal_eval(node_or_text)
    return ast.literal_eval(node_or_text)


ENGINE_METHODS = {
    item.name: item
    for item in CLASSES["Engine"].body
    if isinstance(item, ast.FunctionDef) and not item.name.startswith("__")
    and not any(isinstance(d, ast.Name) and d.id == "property" for d in item.decorator_list)
}


@pytest.mark.parametrize("name", sorted(ENGINE_METHODS))
def test_engine_method_signatures_match(name):
    method = inspect.getattr_static(crm.Engine, name)
    if isinstance(method, staticmethod):
        method = method.__func__
    if inspect.isfunction(method):  # defined in crm/__init__.py
        sig = inspect.signature(method)
        runtime = [(p.name, None if p.default is p.empty else repr(p.default),
                    p.kind == p.KEYWORD_ONLY)
                   for p in sig.parameters.values() if p.name != "self"]
    else:
        runtime = pybind_params(method)
    stub = stub_params(ENGINE_METHODS[name])
    assert [(n, k) for n, _, k in runtime] == [(n, k) for n, _, k in stub]
    for (n, rd, _), (_, sd, _) in zip(runtime, stub):
        assert literal(rd) == literal(sd), f"default of {name}({n})"


def test_the_module_exports_only_its_own_names():
    """dir(crm) holds the names of __all__ and private ones, nothing a
    `from typing import ...` or `import contextlib` brought in."""
    leaked = sorted(n for n in dir(crm) if not n.startswith("_") and n not in crm.__all__)
    assert leaked == []
