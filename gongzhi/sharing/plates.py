"""Chinese number plates (GA 36): one spelling for whatever a guard types or a camera reads.

    normalise_plate(" 沪ａ·1234５ ")  → "沪A12345"
    normalise_plate("沪AD12345")     → "沪AD12345"   (new-energy, 8 characters)
    normalise_plate("AB12345")       → PlateError    (no province character)

Full-width letters and digits become ASCII (NFKC), letters upper case, spaces, dots, middle dots
and hyphens go. A plate is the province character, the issuing authority's letter, then five
letters or digits (I and O are never used), or, for new-energy cars, six: D or F followed by a
letter or digit and four digits (small cars), or five digits followed by D or F (large ones). A
trailing 学 (driving school) or 挂 (trailer) is accepted on a regular plate.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _

from gongzhi.core.errors import ServiceError

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_ALNUM = "A-HJ-NP-Z0-9"
PLATE_RE = re.compile(
    rf"^[{PROVINCES}][A-HJ-NP-Z]"
    rf"(?:[{_ALNUM}]{{4}}[{_ALNUM}学挂]"  # regular: 5 characters
    rf"|[DF][{_ALNUM}][0-9]{{4}}"  # new-energy, small car
    rf"|[0-9]{{5}}[DF])$"  # new-energy, large vehicle
)
_DROP = re.compile(r"[\s.·•・\-_]+")


class PlateError(ServiceError):
    code = "invalid_plate"


def normalise_plate(value: str | None) -> str:
    """The plate in its one spelling, or PlateError with a message saying what is wrong."""
    raw = unicodedata.normalize("NFKC", value or "")
    plate = _DROP.sub("", raw).upper()
    if not plate:
        raise PlateError(_("Enter a plate number."), field_errors={"plate": [_("Required.")]})
    if plate[0] not in PROVINCES:
        raise PlateError(
            _("A plate starts with a province character such as 沪 or 京: “%(plate)s”.")
            % {"plate": raw.strip()},
            field_errors={"plate": [_("No province character.")]},
        )
    if not PLATE_RE.match(plate):
        raise PlateError(
            _(
                "“%(plate)s” is not a plate number: after the province character come a letter "
                "and five letters or digits (six for new-energy cars)."
            )
            % {"plate": raw.strip()},
            field_errors={"plate": [_("Not a plate number.")]},
        )
    return plate


def is_new_energy(plate: str) -> bool:
    return len(plate) == 8


def display_plate(plate: str) -> str:
    """沪A·12345, as painted on the plate."""
    return f"{plate[:2]}·{plate[2:]}" if len(plate) > 2 else plate


def mask_plate(plate: str) -> str:
    """沪A***45: enough to find one's own plate in a published list, not to identify a car."""
    if len(plate) < 5:
        return "*" * len(plate)
    return plate[:2] + "*" * (len(plate) - 4) + plate[-2:]
