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
from skinmm.prediction import Prediction, PredictionSet
from skinmm.scope import VERDICTS, ScopeResult
from skinmm.taxonomy import TAXONOMY, DatasetClass, Risk

# A photo's file name is its sha256 plus one of these (see ImageStore.path); ``bin`` is
# content Pillow does not recognise or a format outside this list.
IMAGE_EXTENSIONS = ("jpg", "png", "webp", "gif", "bmp", "tiff", "bin")
NAME_LENGTH = 200
BUNDLE_NAME_LENGTH = 200
# A feedback code for a diagnosis outside the taxonomy, named in words beside it.
OTHER = "other"
NOTE_LENGTH = 100_000
IMPRESSION_LENGTH = NOTE_LENGTH
COMMENT_LENGTH = 10_000
MAX_CLASSES = 64
# A gate's scores and failed checks: a dozen today; the bound only stops a crafted row.
MAX_SCOPE_SCORES = 64
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


def check_scope(verdict: object, scores: object, reasons: object) -> ScopeResult | None:
    """A stored input-scope verdict with its scores and failed checks; None when absent."""
    if verdict is None:
        if scores is not None or reasons is not None:
            raise RowError("scope_scores and scope_reasons need a scope_verdict")
        return None
    if verdict not in VERDICTS:
        raise RowError(f"scope_verdict must be one of {', '.join(VERDICTS)}, not {_show(verdict)}")
    if not isinstance(scores, dict) or len(scores) > MAX_SCOPE_SCORES:
        raise RowError(f"scope_scores must be an object of at most {MAX_SCOPE_SCORES} numbers")
    checked: dict[str, float] = {}
    for key, value in scores.items():
        check_text(key, "scope_scores key", CODE_LENGTH, required=True)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise RowError(f"scope_scores[{_show(key)}] must be a number, not {_show(value)}")
        checked[key] = float(value)
    named = _string_list([] if reasons is None else reasons, "scope_reasons")
    if len(named) > MAX_SCOPE_SCORES:
        raise RowError(f"scope_reasons names more than {MAX_SCOPE_SCORES} checks")
    return ScopeResult(str(verdict), checked, tuple(named))


def check_prediction_set(
    level: object, codes: object, classes: Sequence[DatasetClass]
) -> PredictionSet | None:
    """A stored conformal set: its level and the codes of its classes; None when absent."""
    if level is None and codes is None:
        return None
    if isinstance(level, bool) or not isinstance(level, int | float) or not 0 < level < 1:
        raise RowError(f"set_level must be a level between 0 and 1, not {_show(level)}")
    by_code = {c.code: c for c in classes}
    named = _string_list(codes, "set_classes", tuple(by_code))
    if len(set(named)) != len(named):
        raise RowError("set_classes repeats a class code")
    return PredictionSet(float(level), tuple(by_code[c] for c in named))


def check_shown_anyway(value: object, verdict: object) -> bool | None:
    """Whether the differential of an out-of-scope image was shown on request."""
    shown = check_bool(value, "scope_shown_anyway", nullable=True)
    if shown and verdict in (None, "in_scope"):
        raise RowError("scope_shown_anyway is only set for an image outside the model's scope")
    return shown


def prediction_from_values(
    *,
    classes: object,
    fused: object,
    image: object,
    text: object,
    carrier: object,
    mode: object,
    rule: object,
    scope: tuple[object, object, object] = (None, None, None),
    prediction_set: tuple[object, object] = (None, None),
) -> Prediction:
    """A :class:`Prediction` from stored values, every one checked; :class:`RowError` if not.

    ``scope`` is the stored (verdict, scores, reasons) and ``prediction_set`` the stored
    (level, class codes); all None for a case saved before they existed.
    """
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
        prediction_set=check_prediction_set(*prediction_set, checked),
        scope=check_scope(*scope),
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


# The keys of a stored note reading (skinmm.text.facts_display.stored_reading).
READING_KEYS = frozenset(
    {"language", "facts", "evidence", "unused", "impression", "readable"}
    | {"corrected_facts", "model_note"}
)
READING_LANGUAGES = ("en", "zh", "none")


def check_note_reading(value: object, what: str) -> dict | None:
    """A stored note reading: known keys, fact names and values, bounded texts (or None)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise RowError(f"{what} must be a JSON object")
    unknown = set(value) - READING_KEYS
    if unknown:
        raise RowError(f"{what} has unknown fields: {', '.join(sorted(unknown))}")
    if value.get("language") not in READING_LANGUAGES:
        raise RowError(f"{what}.language must be one of {', '.join(READING_LANGUAGES)}")
    if not isinstance(value.get("readable"), bool):
        raise RowError(f"{what}.readable must be true or false")
    _check_facts(value.get("facts"), f"{what}.facts", required=True)
    _check_facts(value.get("corrected_facts"), f"{what}.corrected_facts", required=False)
    for name, words in _mapping(value.get("evidence", {}), f"{what}.evidence").items():
        _check_fact_name(name, f"{what}.evidence")
        check_text(words, f"{what}.evidence.{name}", NOTE_LENGTH, required=True)
    unused = value.get("unused", [])
    if not isinstance(unused, list):
        raise RowError(f"{what}.unused must be a list of strings")
    for k, phrase in enumerate(unused):
        check_text(phrase, f"{what}.unused[{k}]", NOTE_LENGTH, required=True)
    check_text(value.get("impression"), f"{what}.impression", IMPRESSION_LENGTH)
    check_text(value.get("model_note"), f"{what}.model_note", NOTE_LENGTH)
    return value


def _mapping(value: object, what: str) -> dict:
    if not isinstance(value, dict):
        raise RowError(f"{what} must be a JSON object")
    return value


def _check_fact_name(name: object, what: str) -> None:
    from skinmm.text.facts import FACT_NAMES

    if name not in FACT_NAMES:
        raise RowError(f"{what} names an unknown fact {_show(name)}")


def _check_facts(value: object, what: str, *, required: bool) -> None:
    from skinmm.text.facts import POLAR_FACTS, POLAR_VALUES

    if value is None and not required:
        return
    for name, fact in _mapping(value, what).items():
        _check_fact_name(name, what)
        if name in POLAR_FACTS:
            ok = fact in POLAR_VALUES
        elif name == "sex":
            ok = fact in ("male", "female")
        elif name == "site":
            ok = isinstance(fact, str) and 0 < len(fact) <= NAME_LENGTH
        else:
            ok = isinstance(fact, int | float) and not isinstance(fact, bool) and 0 <= fact <= 1000
        if not ok:
            raise RowError(f"{what}.{name} has an impossible value {_show(fact)}")
