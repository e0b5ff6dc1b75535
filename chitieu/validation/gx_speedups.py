"""A measured fix for a GX 1.x hot spot, applied when the bridge first imports GX.

``Expectation._get_domain_kwargs``, ``_get_success_kwargs`` and ``_get_runtime_kwargs`` read
``self.configuration`` once per key, and that property rebuilds the whole
``ExpectationConfiguration`` (a pydantic ``.dict()``) on every read: about 1 900 rebuilds for one
16-expectation validation, a third of its time here. The replacements read it once per call and
are otherwise the same code (GX 1.24.1, ``expectations/expectation.py``). Results are identical
with and without them (``tests/test_validation.py`` compares whole validation results).
"""

from __future__ import annotations

_METHODS = (
    "_get_domain_kwargs",
    "_get_success_kwargs",
    "_get_runtime_kwargs",
    "_get_success_kwarg",
)


def _kwargs_of(expectation, kwargs: dict, keys) -> dict:
    return {key: kwargs.get(key, expectation._get_default_value(key)) for key in keys}


def _kwarg(expectation, kwargs: dict, key: str):
    """``_get_success_kwarg`` on an already built kwargs dict."""
    if key in kwargs:
        return kwargs[key]
    field = expectation.__fields__.get(key)
    if field is not None:
        return field.default if not field.required else None
    return None


def _get_domain_kwargs(self) -> dict:
    return _kwargs_of(self, self.configuration.kwargs, self.domain_keys)


def _success_kwargs(self, kwargs: dict) -> dict:
    out = _kwargs_of(self, kwargs, self.success_keys)
    out.update(_kwargs_of(self, kwargs, self.domain_keys))
    return out


def _get_success_kwargs(self) -> dict:
    return _success_kwargs(self, self.configuration.kwargs)


def install() -> bool:
    """Patch ``Expectation`` once; returns False (and changes nothing) on a GX without these methods."""
    from great_expectations.expectations.expectation import Expectation, parse_result_format

    if getattr(Expectation, "_chitieu_speedups", False):
        return True
    if not all(hasattr(Expectation, m) for m in _METHODS):
        return False

    def _get_runtime_kwargs(self, runtime_configuration: dict | None = None) -> dict:
        runtime_configuration = runtime_configuration or {}
        kwargs = self.configuration.kwargs
        runtime = {
            key: runtime_configuration.get(key, _kwarg(self, kwargs, key))
            for key in self.runtime_keys
        }
        runtime.update(_success_kwargs(self, kwargs))
        runtime["result_format"] = parse_result_format(runtime["result_format"])
        return runtime

    Expectation._chitieu_originals = {m: getattr(Expectation, m) for m in _METHODS[:3]}
    Expectation._get_domain_kwargs = _get_domain_kwargs
    Expectation._get_success_kwargs = _get_success_kwargs
    Expectation._get_runtime_kwargs = _get_runtime_kwargs
    Expectation._chitieu_speedups = True
    return True


def uninstall() -> None:
    """Restore GX's own methods (used by the test that compares results with and without)."""
    from great_expectations.expectations.expectation import Expectation

    if getattr(Expectation, "_chitieu_speedups", False):
        for name, method in Expectation._chitieu_originals.items():
            setattr(Expectation, name, method)
        Expectation._chitieu_speedups = False
