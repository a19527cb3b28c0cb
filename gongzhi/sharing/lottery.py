"""The parking lottery: published priority rules, then a seeded shuffle anyone can re-run.

The inputs are published as JSON when the lottery is drawn:

    {"seed": "2026-12-07 沪A…", "spaces": 40,
     "rules": ["served_area", "proof_of_residence", "first_permit"],
     "applications": [{"id": 17, "plate": "沪A***45", "person": "p:3", "flags": {...}}, …]}

and the result is a pure function of them (`allocate`), in four steps:

1. each application's tier: for each rule in order, does it meet it? (a tuple of booleans,
   compared in order: meeting the first rule beats everything else, then the second …);
2. each application's lottery key: the SHA-256 of "<seed>:<application id>" in hexadecimal;
3. the applications sorted by tier (best first), then by key;
4. down that order, an application whose plate or applicant came up before is a duplicate
   (nobody is allocated twice, nor waits twice); the others get a space while spaces are left,
   then form the waiting list, in the same order.

No random-number library is involved, so the result is the same in any language and version.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext_lazy as _

# The rules a draw may publish, in a default order.
RULES: dict[str, Any] = {
    "served_area": _("lives in a residential area the resource serves"),
    "proof_of_residence": _("gave proof of residence"),
    "first_permit": _("has had no permit for this resource before"),
    "new_energy": _("drives a new-energy car"),
}
DEFAULT_RULES = ["served_area", "proof_of_residence", "first_permit"]


def lottery_key(seed: str, application_id: int) -> str:
    return hashlib.sha256(f"{seed}:{application_id}".encode()).hexdigest()


def allocate(inputs: dict[str, Any]) -> dict[str, Any]:
    """{"allocated": [ids…], "waitlist": [ids…], "duplicates": [ids…],
    "order": [{"id", "meets": [bool per rule], "key"}…]}."""
    seed = str(inputs["seed"])
    spaces = int(inputs["spaces"])
    rules: Sequence[str] = inputs.get("rules", [])
    rows = []
    for app in inputs.get("applications", []):
        flags = app.get("flags", {})
        tier = [bool(flags.get(rule)) for rule in rules]
        rows.append((tuple(not t for t in tier), lottery_key(seed, app["id"]), app, tier))
    rows.sort(key=lambda r: (r[0], r[1]))
    allocated: list[int] = []
    waitlist: list[int] = []
    duplicates: list[int] = []
    plates: set[str] = set()
    people: set[str] = set()
    order = []
    for _rank, key, app, tier in rows:
        plate = app.get("plate_key") or app.get("plate") or ""
        person = app.get("person") or ""
        order.append({"id": app["id"], "meets": tier, "key": key[:16]})
        if plate in plates or (person and person in people):
            duplicates.append(app["id"])
            continue
        plates.add(plate)
        if person:
            people.add(person)
        (allocated if len(allocated) < spaces else waitlist).append(app["id"])
    return {
        "allocated": allocated,
        "waitlist": waitlist,
        "duplicates": duplicates,
        "order": order,
    }
