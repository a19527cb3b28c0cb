"""Photos on cases: images only (checked by content, not by name), at most 10 MB, stored as
sent (staff evidence), plus a re-encoded copy without metadata (no GPS, no camera data) and a
thumbnail for everything the public sees."""

from __future__ import annotations

import hashlib
import io
from typing import Any

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from gongzhi.core.errors import ServiceError

from .models import Case, CaseEvent, CasePhoto

MAX_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 9
ALLOWED = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
THUMB_SIZE = (320, 320)
PUBLIC_MAX = (1600, 1600)
Image.MAX_IMAGE_PIXELS = 40_000_000  # refuse decompression bombs


def read_upload(upload: Any) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ServiceError(
            _("A photo may be at most 10 MB."),
            field_errors={"photos": [_("A photo may be at most 10 MB.")]},
        )
    data = upload.read() if hasattr(upload, "read") else bytes(upload)
    if len(data) > MAX_BYTES:
        raise ServiceError(
            _("A photo may be at most 10 MB."),
            field_errors={"photos": [_("A photo may be at most 10 MB.")]},
        )
    return data


def inspect(data: bytes) -> tuple[str, int, int]:
    """The image format and size, from the content. Anything that is not a whole JPEG/PNG/WebP
    image is refused, whatever its file name says."""
    message = _("Only photos (JPEG, PNG or WebP images) can be uploaded.")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format or ""
            probe.verify()
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            width, height = img.size
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as exc:
        raise ServiceError(message, field_errors={"photos": [message]}) from exc
    if fmt not in ALLOWED:
        raise ServiceError(message, field_errors={"photos": [message]})
    return fmt, width, height


def _encode(img: Image.Image, size: tuple[int, int]) -> bytes:
    copy = ImageOps.exif_transpose(img)
    copy.thumbnail(size)
    if copy.mode not in ("RGB", "L"):
        copy = copy.convert("RGB")
    out = io.BytesIO()
    copy.save(out, format="JPEG", quality=85, optimize=True)  # no exif= argument: no metadata
    return out.getvalue()


def reencoded(data: bytes) -> tuple[bytes, bytes]:
    """A checked photo re-encoded without metadata: (the image others see, its thumbnail)."""
    with Image.open(io.BytesIO(data)) as img:
        return _encode(img, PUBLIC_MAX), _encode(img, THUMB_SIZE)


def store_reencoded(photo: Any, data: bytes, prefix: str) -> Any:
    """Fill and save a photo row of any domain (fields `image`, `thumbnail`, `sha256`) from one
    checked upload: re-encoded without metadata, with its thumbnail."""
    digest = hashlib.sha256(data).hexdigest()
    public, thumb = reencoded(data)
    photo.sha256 = digest
    photo.image.save(f"{prefix}-{digest[:16]}.jpg", ContentFile(public), save=False)
    photo.thumbnail.save(f"{prefix}-{digest[:16]}-t.jpg", ContentFile(thumb), save=False)
    photo.save()
    return photo


def validate_all(uploads: list[Any]) -> list[tuple[bytes, str, int, int]]:
    """Read and check every upload before anything is written (all or nothing)."""
    if len(uploads) > MAX_PHOTOS:
        raise ServiceError(_("At most %(n)d photos at a time.") % {"n": MAX_PHOTOS})
    out = []
    for upload in uploads:
        data = read_upload(upload)
        fmt, w, h = inspect(data)
        out.append((data, fmt, w, h))
    return out


def attach(
    *,
    case: Case,
    checked: list[tuple[bytes, str, int, int]],
    stage: str,
    user: Any,
    event: CaseEvent | None,
) -> list[CasePhoto]:
    photos = []
    for data, fmt, w, h in checked:
        digest = hashlib.sha256(data).hexdigest()
        public_bytes, thumb_bytes = reencoded(data)
        photo = CasePhoto(
            case=case,
            event=event,
            stage=stage,
            sha256=digest,
            extension=ALLOWED[fmt],
            width=w,
            height=h,
            uploaded_by=user if getattr(user, "is_authenticated", False) else None,
        )
        photo.original.save(f"{digest[:16]}{ALLOWED[fmt]}", ContentFile(data), save=False)
        photo.public_image.save(
            f"{case.pk}-{digest[:16]}.jpg", ContentFile(public_bytes), save=False
        )
        photo.thumbnail.save(f"{case.pk}-{digest[:16]}-t.jpg", ContentFile(thumb_bytes), save=False)
        photo.save()
        photos.append(photo)
    return photos
