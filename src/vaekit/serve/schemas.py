"""The JSON requests of the explorer's API, with the bounds that keep every request small.

Numbers must be finite (Python's JSON parser accepts ``NaN`` and ``Infinity``; these models do
not), unknown keys are refused, and each list has a maximum length. What depends on the run (a
code's length, an example index, a label) is checked by :class:`vaekit.serve.session.Explorer`.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

MAX_CODES = 64  # codes decoded by one request
MAX_N = 64  # prior draws of one request
MAX_STEPS = 64  # points of one interpolation path
MAX_EXAMPLES = 64  # thumbnails of one request
MAX_LATENT = 4096  # numbers in one code (the run's exact latent size is checked later)
Z_MAX = 1e4  # |z_d| bound: far outside any prior, and far from float32 overflow



def _bad(message: str) -> PydanticCustomError:
    return PydanticCustomError("bad_code", message)


def _number(v: Any, where: str) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise _bad(f"{where} is not a number")
    try:
        f = float(v)
    except OverflowError:
        raise _bad(f"{where} is too large (|z| <= {Z_MAX:g})") from None
    if not math.isfinite(f):
        raise _bad(f"{where} is {v}: codes must hold finite numbers only")
    if abs(f) > Z_MAX:
        raise _bad(f"{where} = {v:g} is too large (|z| <= {Z_MAX:g})")
    return f


def codes_of(value: Any) -> list[list[float]]:
    """``z`` as a batch of codes: one code [..] becomes [[..]]; one-line errors naming z[i]."""
    if not isinstance(value, list) or not value:
        raise _bad("z must be a non-empty list of numbers (one code) or of codes")
    single = not isinstance(value[0], list)
    codes = [value] if single else value
    if len(codes) > MAX_CODES:
        raise _bad(f"at most {MAX_CODES} codes per request, got {len(codes)}")
    out = []
    for i, code in enumerate(codes):
        if not isinstance(code, list) or not code or len(code) > MAX_LATENT:
            raise _bad(f"z[{i}] must be a list of 1 to {MAX_LATENT} numbers")
        out.append([_number(v, f"z[{j}]" if single else f"z[{i}][{j}]") for j, v in enumerate(code)])
    return out

Label = Annotated[int | None, Field(ge=0, le=1_000_000, description="class label of a "
                                    "conditional model (ignored by others; default 0)")]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class DecodeRequest(_Request):
    """One code ``z: [z_0, ..., z_{L-1}]``, or a batch of codes ``z: [[...], [...]]``."""

    z: Annotated[list[list[float]], BeforeValidator(codes_of)] = Field(
        description=f"one latent code [z_0, ..., z_(L-1)] of the run's latent size L, or a list "
        f"of up to {MAX_CODES} codes; finite numbers with |z_d| <= {Z_MAX:g}")
    label: Label = None
    format: Literal["json", "png"] = Field(
        "json", description="json: base64 PNGs in JSON; png: the raw PNG of a single code")



class SampleRequest(_Request):
    """``n`` draws from the prior; a VQ-VAE draws its code grids from its trained code prior."""

    n: int = Field(1, ge=1, le=MAX_N)
    temperature: float = Field(1.0, gt=0, le=5, allow_inf_nan=False,
                               description="scale of the prior's noise (VQ-VAE: of its logits)")
    seed: int = Field(0, ge=0, le=2**63 - 1)
    label: Label = None


class EncodeRequest(_Request):
    """The posterior mean E[z|x] of held-out example ``index``."""

    index: int = Field(ge=0, le=2**31, description="example of the held-out split")
    label: Label = Field(None, description="conditional model: label to encode with (default: "
                         "the example's own)")


class InterpolateRequest(_Request):
    """The decoded path between the posterior means of held-out examples ``from`` and ``to``."""

    from_: int = Field(alias="from", ge=0, le=2**31)
    to: int = Field(ge=0, le=2**31)
    steps: int = Field(8, ge=2, le=MAX_STEPS)
    method: Literal["lerp", "slerp"] = "lerp"
    label: Label = Field(None, description="conditional model: label the whole path is decoded "
                         "with (default: the label of example 'from')")
