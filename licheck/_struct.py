"""A small stand-in for @dataclass on the warm path.

`dataclasses` generates and compiles source for every class at import time (about 1 ms each); licheck defines
~20 such classes and a warm audit must start faster than `import huggingface_hub`. This decorator builds
generic methods instead: same constructor signature (positional in field order, keywords, defaults,
default factories), equality, repr, optional immutability and hashing, and `asdict`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # type checkers read `struct` as a dataclass (PEP 681); nothing is imported at run time
    from typing_extensions import dataclass_transform
else:

    def dataclass_transform(**_kwargs: Any) -> Any:
        return lambda fn: fn


_MISSING = object()


class _Field:
    __slots__ = ("default", "default_factory")

    def __init__(self, default: Any = _MISSING, default_factory: Any = _MISSING) -> None:
        self.default = default
        self.default_factory = default_factory


def field(*, default: Any = _MISSING, default_factory: Any = _MISSING) -> Any:
    return _Field(default, default_factory)


def _fields_of(cls: type) -> list[tuple[str, Any]]:
    out: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        spec = getattr(klass, "__struct_fields__", None)
        if spec is not None and klass is not cls:
            for name, default in spec:
                out[name] = default
    for name, ann in cls.__dict__.get("__annotations__", {}).items():
        if isinstance(ann, str) and ann.startswith("ClassVar"):
            continue
        value = cls.__dict__.get(name, _MISSING)
        if isinstance(value, _Field):
            out[name] = value
        elif value is _MISSING:
            out[name] = _MISSING
        else:
            out[name] = _Field(default=value)
    return list(out.items())


@dataclass_transform(field_specifiers=(field,))
def struct(cls: type | None = None, *, frozen: bool = False) -> Any:
    def wrap(klass: type) -> type:
        fields = _fields_of(klass)
        names = tuple(n for n, _ in fields)
        specs = dict(fields)
        klass.__struct_fields__ = fields  # type: ignore[attr-defined]
        for name, spec in fields:
            if isinstance(spec, _Field) and name in klass.__dict__:
                delattr(klass, name)  # a mutable default must not stay shared on the class

        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            if len(args) > len(names):
                raise TypeError(f"{klass.__name__}() takes {len(names)} positional arguments")
            values = dict(zip(names, args, strict=False))
            for key, value in kwargs.items():
                if key not in specs:
                    raise TypeError(f"{klass.__name__}() got an unexpected keyword argument {key!r}")
                if key in values:
                    raise TypeError(f"{klass.__name__}() got multiple values for {key!r}")
                values[key] = value
            setter = object.__setattr__
            for name in names:
                if name in values:
                    setter(self, name, values[name])
                    continue
                spec = specs[name]
                if spec is _MISSING:
                    raise TypeError(f"{klass.__name__}() missing required argument {name!r}")
                if spec.default_factory is not _MISSING:
                    setter(self, name, spec.default_factory())
                else:
                    setter(self, name, spec.default)
            post = getattr(self, "__post_init__", None)
            if post is not None:
                post()

        def __repr__(self: Any) -> str:
            inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in names)
            return f"{klass.__name__}({inner})"

        def __eq__(self: Any, other: Any) -> Any:
            if other.__class__ is not self.__class__:
                return NotImplemented
            return all(getattr(self, n) == getattr(other, n) for n in names)

        klass.__init__ = __init__  # type: ignore[misc]
        klass.__repr__ = __repr__  # type: ignore[assignment]
        klass.__eq__ = __eq__  # type: ignore[assignment]
        if frozen:

            def __setattr__(self: Any, name: str, value: Any) -> None:
                raise AttributeError(f"{klass.__name__} is immutable")

            def __hash__(self: Any) -> int:
                return hash(tuple(getattr(self, n) for n in names))

            klass.__setattr__ = __setattr__  # type: ignore[assignment]
            klass.__hash__ = __hash__  # type: ignore[assignment]
        else:
            klass.__hash__ = None  # type: ignore[assignment]
        return klass

    return wrap(cls) if cls is not None else wrap


def asdict(obj: Any) -> Any:
    spec = getattr(type(obj), "__struct_fields__", None)
    if spec is not None:
        return {name: asdict(getattr(obj, name)) for name, _ in spec}
    if isinstance(obj, list):
        return [asdict(v) for v in obj]
    if isinstance(obj, tuple):
        return tuple(asdict(v) for v in obj)
    if isinstance(obj, dict):
        return {k: asdict(v) for k, v in obj.items()}
    return obj


def fields(obj: Any) -> tuple[str, ...]:
    return tuple(name for name, _ in type(obj).__struct_fields__)
