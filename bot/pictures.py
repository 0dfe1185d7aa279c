"""A drawing or photo a child sends: checked and made anew before anything keeps it.

Only what Pillow decodes as JPEG, PNG, GIF or WebP is taken, whatever the file is called;
it is turned upright, shrunk to at most MAX_SIDE, and encoded afresh from its pixels
alone, so no EXIF, location, comment or colour profile survives. Anything else gets a
kind refusal in plain words, and nothing is kept.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import ExifTags, Image, UnidentifiedImageError

FORMATS = ("JPEG", "PNG", "GIF", "WEBP")  # HEIC: this Pillow cannot read it
MAX_SIDE = 2000  # pixels: plenty for a drawing, and small enough to show on a page
MAX_PIXELS = 50_000_000  # refused before decoding: a small file can unpack to a huge image

NOT_A_PICTURE = (
    "Sorry, I could not open that as a picture. Please send a photo or a drawing "
    "(a JPEG, PNG, GIF or WebP file)."
)
TOO_BIG = "Sorry, that picture is too big. Please send one smaller than {limit} MB."
NOTHING_CHOSEN = "Choose a photo or a drawing first, then press Send picture."


class PictureRefused(ValueError):
    """Why a picture was not taken, in words for the child."""


@dataclass(frozen=True)
class CleanPicture:
    data: bytes
    media_type: str  # image/jpeg or image/png
    width: int
    height: int


def too_big_words(limit_mb: float) -> str:
    return TOO_BIG.format(limit=f"{limit_mb:g}")


def too_big(size: int, limit_mb: float) -> PictureRefused | None:
    if size > limit_mb * 1024 * 1024:
        return PictureRefused(too_big_words(limit_mb))
    return None


def clean_picture(data: bytes, limit_mb: float) -> CleanPicture:
    """The picture made anew from its pixels; PictureRefused when it is not one we take."""
    if not data:
        raise PictureRefused(NOTHING_CHOSEN)
    if refused := too_big(len(data), limit_mb):
        raise refused
    try:
        with Image.open(io.BytesIO(data), formats=FORMATS) as image:
            if image.width * image.height > MAX_PIXELS:
                raise PictureRefused(too_big_words(limit_mb))
            photo = image.format == "JPEG"
            image.seek(0)  # an animated GIF or WebP: its first frame
            upright = _upright(image)
            upright.thumbnail((MAX_SIDE, MAX_SIDE))
            pixels = _pixels_only(upright, photo)
    except PictureRefused:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise PictureRefused(NOT_A_PICTURE) from None
    out = io.BytesIO()
    if photo:
        pixels.save(out, "JPEG", quality=85, optimize=True)
    else:
        pixels.save(out, "PNG", optimize=True)
    return CleanPicture(
        out.getvalue(), "image/jpeg" if photo else "image/png", pixels.width, pixels.height
    )


# EXIF orientation -> the turn that puts a phone's photo the right way up.
TURNS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _upright(image: Image.Image) -> Image.Image:
    """The picture turned as its EXIF orientation says. Only the orientation is read, since
    no EXIF is kept: ImageOps.exif_transpose writes the rest back, and malformed EXIF makes
    that raise (AttributeError, TypeError, struct.error...). EXIF that cannot be read at
    all leaves the pixels as they are."""
    try:
        orientation = image.getexif().get(ExifTags.Base.Orientation)
    except Exception:  # noqa: BLE001 (any fault in the EXIF: its pixels are still good)
        orientation = None
    turn = TURNS.get(orientation) if isinstance(orientation, int) else None
    return image.transpose(turn) if turn is not None else image.copy()


def _pixels_only(image: Image.Image, photo: bool) -> Image.Image:
    """A new image holding the pixels and nothing else (no info, EXIF or ICC profile)."""
    mode = "RGB" if photo else ("RGBA" if _has_transparency(image) else "RGB")
    converted = image.convert(mode)
    fresh = Image.new(mode, converted.size)
    fresh.paste(converted)
    return fresh


def _has_transparency(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
