"""Products that Ponte manages itself (not the ERP), and the web fields of any product."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from domain.errors import ValidationError
from domain.money import Money

MAX_IMAGES = 20
MAX_URL_LENGTH = 2048
MAX_DESCRIPTION_LENGTH = 10_000
_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,29}")
_SECTION = re.compile(r"[A-Za-z0-9._-]{1,30}")


def gtin_is_valid(digits: str) -> bool:
    """GS1 check digit of an EAN-8, UPC-A (12), EAN-13 or GTIN-14."""
    if len(digits) not in (8, 12, 13, 14) or not digits.isascii() or not digits.isdigit():
        return False
    body, check = digits[:-1], int(digits[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def _no_nul(field: str, *texts: str | None) -> None:
    """Text that storage can hold: no NUL characters."""
    if any(text is not None and "\x00" in text for text in texts):
        raise ValidationError("must not contain NUL characters", field=field)


def _images(images: tuple[str, ...]) -> None:
    if len(images) > MAX_IMAGES:
        raise ValidationError(f"at most {MAX_IMAGES} images", field="images")
    _no_nul("images", *images)
    for url in images:
        parts = urlsplit(url)
        if len(url) > MAX_URL_LENGTH or parts.scheme != "https" or not parts.netloc:
            raise ValidationError(f"not an https:// image URL: {url[:80]!r}", field="images")


def _description(description: str | None) -> None:
    _no_nul("description", description)
    if description is not None and len(description) > MAX_DESCRIPTION_LENGTH:
        raise ValidationError(f"at most {MAX_DESCRIPTION_LENGTH} characters", field="description")


@dataclass(frozen=True, slots=True)
class WebFields:
    """What a storefront shows beside the ERP's data: a description override and images."""

    description: str | None
    images: tuple[str, ...]

    def __post_init__(self) -> None:
        _description(self.description)
        _images(self.images)


@dataclass(frozen=True, slots=True, kw_only=True)
class ManagedProduct:
    """A product sold through Ponte that the ERP does not know: one SKU, one price, one stock.

    :raises ValidationError: naming the field, on a malformed reference or section, an empty name,
        a barcode that is not a valid GTIN, a zero price, negative stock, a bad image URL or a
        NUL character in any text.
    """

    reference: str
    name: str
    description: str | None
    price: Money
    barcode: str | None
    section: str | None
    stock: int
    expires_on: date | None
    images: tuple[str, ...]

    def __post_init__(self) -> None:
        if not _REFERENCE.fullmatch(self.reference):
            raise ValidationError(
                "1-30 letters, digits, '.', '_' or '-', starting with a letter or digit",
                field="reference",
            )
        _no_nul("name", self.name)
        if not self.name.strip() or len(self.name) > 200:
            raise ValidationError("must be 1 to 200 characters", field="name")
        _description(self.description)
        if self.price.amount <= 0:
            raise ValidationError("must be above zero", field="price")
        if self.barcode is not None and not gtin_is_valid(self.barcode):
            raise ValidationError("not a valid EAN/GTIN (8, 12, 13 or 14 digits)", field="barcode")
        if self.section is not None and not _SECTION.fullmatch(self.section):
            raise ValidationError("1-30 letters, digits, '.', '_' or '-'", field="section")
        if isinstance(self.stock, bool) or not isinstance(self.stock, int) or self.stock < 0:
            raise ValidationError("must be a whole number of units, 0 or more", field="stock")
        _images(self.images)

    @property
    def web_fields(self) -> WebFields:
        return WebFields(self.description, self.images)
