"""Photos of projects: checked and re-encoded by the cases' photo functions (content, size,
no metadata), stored on the project with the timeline row of the action that brought them."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.files.base import ContentFile

from gongzhi.cases import photos as checks

from .models import ProjectPhoto

validate_all = checks.validate_all


def attach(
    *, project: Any, checked: list[tuple[bytes, str, int, int]], user: Any, event: Any
) -> list[ProjectPhoto]:
    out = []
    for data, _fmt, _w, _h in checked:
        digest = hashlib.sha256(data).hexdigest()
        public, thumb = checks.reencoded(data)
        photo = ProjectPhoto(
            project=project,
            event=event,
            sha256=digest,
            uploaded_by=user if getattr(user, "is_authenticated", False) else None,
        )
        photo.image.save(f"{project.pk}-{digest[:16]}.jpg", ContentFile(public), save=False)
        photo.thumbnail.save(f"{project.pk}-{digest[:16]}-t.jpg", ContentFile(thumb), save=False)
        photo.save()
        out.append(photo)
    return out
