"""What a stored row may hold: the checks an import applies and a reader relies on.

An import validates every row with these functions before anything is written, and the
History page reads stored predictions through :func:`prediction_from_values`, so a row that
came in some other way (an old version, a hand-edited database) is reported as unreadable
instead of breaking the page. Every check raises :class:`RowError`, whose message names the
field and what was wrong with it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import datetime

import numpy as np

from skinmm.db.models import CODE_LENGTH, ID_LENGTH, MODES
from skinmm.db.models import OTHER_LENGTH as OTHER_LENGTH  # re-exported: importers read it here
from skinmm.prediction import Prediction
from skinmm.taxonomy import TAXONOMY, DatasetClass, Risk

# A photo's file name is its sha256 plus one of these (see ImageStore.path); ``bin`` is
# content Pillow does not recognise or a format outside this list.
IMAGE_EXTENSIONS = ("jpg", "png", "webp", "gif", "bmp", "tiff", "bin")
NAME_LENGTH = 200
BUNDLE_NAME_LENGTH = 200
# A feedback code for a diagnosis outside the taxonomy, named in words beside it.
OTHER = "other"
NOTE_LENGTH = 100_000
COMMENT_LENGTH = 10_000
MAX_CLASSES = 64
CLASS_KEYS = frozenset({"code", "name_en", "name_zh", "covers", "also", "risk"})
_HEX_ID = re.compile(rf"[0-9a-f]{{{ID_LENGTH}}}")
_SHA256 = re.compile(r"[0-9a-f]{64}")


class RowError(ValueError):
    """A stored or imported value that breaks the schema; the message names the field."""


def check_id(value: object, what: str) -> str:
    if not isinstance(value, str) or not _HEX_ID.fullmatch(value):
        raise RowError(f"{what} must be {ID_LENGTH} lowercase hex characters, not {_show(value)}")
    return value


def check_sha256(value: object, what: str) -> str:
    if not isinstance(value, str) or not _SHA256.fullmatch(value):
        raise RowError(f"{what} must be a sha256 (64 lowercase hex characters), not {_show(value)}")
    return value


def check_extension(value: object, what: str) -> str:
    if value not in IMAGE_EXTENSIONS:
        raise RowError(f"{what} must be one of {', '.join(IMAGE_EXTENSIONS)}, not {_show(value)}")
    return str(value)


def check_text(value: object, what: str, limit: int, *, required: bool = False) -> str | None:
    """A string of at most ``limit`` characters without NUL (or None when not required)."""
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise RowError(f"{what} must be {'a non-empty' if required else 'a'} string")
    if len(value) > limit:
        raise RowError(f"{what} is {len(value)} characters long; at most {limit} fit")
    if "\x00" in value:
        raise RowError(f"{what} contains a NUL character")
    return value


def check_time(value: object, what: str) -> datetime:
    """An ISO 8601 time with its UTC offset, as an export writes it."""
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise RowError(f"{what} must be an ISO 8601 time with a UTC offset, not {_show(value)}")
    return parsed


def check_bool(value: object, what: str, *, nullable: bool = False) -> bool | None:
    if (value is None and nullable) or isinstance(value, bool):
        return value
    raise RowError(f"{what} must be true or false{' or null' if nullable else ''}")


def check_probability(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RowError(f"{what} must be a number, not {_show(value)}")
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        raise RowError(f"{what} must be a probability between 0 and 1, not {value}")
    return float(value)


def check_probabilities(value: object, n: int, what: str) -> list[float]:
    if not isinstance(value, list) or len(value) != n:
        raise RowError(f"{what} must be a list of {n} probabilities, one per class")
    return [check_probability(p, f"{what}[{k}]") for k, p in enumerate(value)]


def _string_list(value: object, what: str, allowed: Sequence[str] | None = None) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RowError(f"{what} must be a list of strings")
    for item in value:
        check_text(item, what, NAME_LENGTH, required=True)
        if allowed is not None and item not in allowed:
            raise RowError(f"{what} names {_show(item)}, which is not a taxonomy code")
    return value


def check_class(value: object, what: str) -> DatasetClass:
    """One stored class: a dict with a code, both names and the taxonomy codes it covers."""
    if not isinstance(value, dict):
        raise RowError(f"{what} must be an object with code, name_en, name_zh and covers")
    unknown = set(value) - CLASS_KEYS
    if unknown:
        raise RowError(f"{what} has unknown fields: {', '.join(sorted(map(str, unknown)))}")
    code = check_text(value.get("code"), f"{what}.code", CODE_LENGTH, required=True)
    names = [
        check_text(value.get(key), f"{what}.{key}", NAME_LENGTH, required=True)
        for key in ("name_en", "name_zh")
    ]
    covers = _string_list(value.get("covers"), f"{what}.covers", tuple(TAXONOMY))
    if not covers:
        raise RowError(f"{what}.covers must name at least one taxonomy code")
    also = _string_list(value.get("also", []), f"{what}.also")
    made = DatasetClass(str(code), str(names[0]), str(names[1]), tuple(covers), tuple(also))
    if "risk" in value and value["risk"] != made.risk.value:
        allowed = ", ".join(r.value for r in Risk)
        raise RowError(f"{what}.risk must be the covered tumours' risk ({allowed})")
    return made


def check_classes(value: object, what: str = "classes") -> tuple[DatasetClass, ...]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_CLASSES:
        raise RowError(f"{what} must be a list of 1 to {MAX_CLASSES} classes, not {_show(value)}")
    classes = tuple(check_class(c, f"{what}[{k}]") for k, c in enumerate(value))
    codes = [c.code for c in classes]
    if len(set(codes)) != len(codes):
        raise RowError(f"{what} repeats a class code")
    return classes


def prediction_from_values(
    *,
    classes: object,
    fused: object,
    image: object,
    text: object,
    carrier: object,
    mode: object,
    rule: object,
) -> Prediction:
    """A :class:`Prediction` from stored values, every one checked; :class:`RowError` if not."""
    # Imported here: skinmm.fusion loads scikit-learn, which the case store otherwise avoids.
    from skinmm.fusion import BOTH, IMAGE, RULES, TEXT

    checked = check_classes(classes)
    n = len(checked)
    image_p = None if image is None else check_probabilities(image, n, "image_proba")
    text_p = None if text is None else check_probabilities(text, n, "text_proba")
    if mode not in MODES:
        raise RowError(f"mode must be one of {', '.join(MODES)}, not {_show(mode)}")
    needs = {"fused": (True, True), "image-only": (True, False), "text-only": (False, True)}
    if needs[str(mode)] != (image_p is not None, text_p is not None):
        raise RowError(f"mode {mode} does not match the branch probabilities stored")
    if rule not in RULES:
        raise RowError(f"rule must be one of {', '.join(RULES)}, not {_show(rule)}")
    carriers = (IMAGE, TEXT, BOTH)
    if (
        not isinstance(carrier, list)
        or len(carrier) != n
        or any(c not in carriers for c in carrier)
    ):
        raise RowError(f"carrier must be a list of {n} of {', '.join(carriers)}")
    return Prediction(
        classes=checked,
        fused=np.asarray(check_probabilities(fused, n, "fused"), dtype=float),
        image=None if image_p is None else np.asarray(image_p, dtype=float),
        text=None if text_p is None else np.asarray(text_p, dtype=float),
        carrier=tuple(carrier),
        mode=str(mode),
        rule=str(rule),
    )


def _is_index(value: object, n: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < n


def check_cam_classes(value: object, n: int) -> list[int]:
    if isinstance(value, list) and len(value) <= n and all(_is_index(k, n) for k in value):
        return [int(k) for k in value]
    raise RowError(f"cam_classes must be a list of at most {n} class indices (0 to {n - 1})")


def _show(value: object) -> str:
    """A short, printable rendering of a bad value for a message."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
