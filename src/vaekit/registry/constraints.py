"""The value types a component declares for its options, checked before it is built.

A builder annotates an option with one of these (``def __init__(self, k: AtLeastOne = 5)``);
the registry's source index reads the annotation's name without importing the component, so
``vaekit validate`` checks option values without torch, and ``registry.bind`` checks them again
for every build. Values are checked strictly: ``true`` is not a number and ``2.5`` not a count.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter, ValidationError

NonNegative = Annotated[float, Field(ge=0, strict=True)]
Positive = Annotated[float, Field(gt=0, strict=True)]
Count = Annotated[int, Field(ge=0, strict=True)]
AtLeastOne = Annotated[int, Field(ge=1, strict=True)]
AtLeastTwo = Annotated[int, Field(ge=2, strict=True)]
KLScheduleName = Literal["linear", "cyclical", "adaptive"]
Decay = Annotated[float, Field(gt=0, lt=1, strict=True)]
IWGradient = Literal["standard", "dreg"]
# A count likelihood's dispersion: one learned per feature, or one per feature of each example.
CountDispersion = Literal["feature", "example"]

CONSTRAINTS: dict[str, Any] = {
    "NonNegative": NonNegative, "Positive": Positive, "Count": Count, "AtLeastOne": AtLeastOne,
    "AtLeastTwo": AtLeastTwo, "KLScheduleName": KLScheduleName, "Decay": Decay,
    "IWGradient": IWGradient, "CountDispersion": CountDispersion,
}
_ADAPTERS: dict[str, TypeAdapter[Any]] = {}


def problem(constraint: str, value: Any) -> str | None:
    """Why ``value`` breaks ``constraint`` (a name in ``CONSTRAINTS``), e.g. "should be greater
    than or equal to 1"; None if it fits."""
    adapter = _ADAPTERS.get(constraint)
    if adapter is None:
        adapter = _ADAPTERS[constraint] = TypeAdapter(CONSTRAINTS[constraint])
    try:
        adapter.validate_python(value)
    except ValidationError as exc:
        return exc.errors()[0]["msg"].removeprefix("Input ")
    return None
