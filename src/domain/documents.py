"""Customer documents: CPF, CNPJ and e-mail address.

Every value validates when built and raises ``ValidationError`` naming its field.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

from domain.errors import ValidationError

_SEPARATORS = re.compile(r"[\s./-]")
_CPF_WEIGHTS = (range(10, 1, -1), range(11, 1, -1))
_CNPJ_WEIGHTS = ((5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2), (6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2))


def _strip_mask(text: str) -> str:
    """Drop whitespace, dots, dashes and slashes; the caller checks that only digits are left."""
    return _SEPARATORS.sub("", text)


def _check_digit(body: str, weights: Sequence[int]) -> str:
    """Mod-11 check digit: ``11 - (Σ digit·weight mod 11)``, or 0 when the remainder is 0 or 1."""
    remainder = sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11
    return "0" if remainder < 2 else str(11 - remainder)


def _validated_digits(
    text: str, *, length: int, weights: tuple[Sequence[int], Sequence[int]], name: str
) -> str:
    """:raises ValidationError: wrong length, non-digits, all digits equal, or a bad check digit."""
    digits = _strip_mask(text)
    if not re.fullmatch(f"[0-9]{{{length}}}", digits):
        raise ValidationError(f"a {name.upper()} has {length} digits", field=name)
    if len(set(digits)) == 1:
        raise ValidationError(f"{name.upper()} with all digits equal is not valid", field=name)
    first = _check_digit(digits[: length - 2], weights[0])
    second = _check_digit(digits[: length - 2] + first, weights[1])
    if digits[-2:] != first + second:
        raise ValidationError(f"{name.upper()} check digits do not match", field=name)
    return digits


@dataclass(frozen=True, slots=True)
class Cpf:
    """An individual's tax id. Built from ``123.456.789-09`` or ``12345678909``; keeps digits only.

    Separators (``.``, ``-``, ``/``, spaces) are ignored wherever they appear.
    """

    digits: str

    def __post_init__(self) -> None:
        checked = _validated_digits(self.digits, length=11, weights=_CPF_WEIGHTS, name="cpf")
        object.__setattr__(self, "digits", checked)

    @property
    def formatted(self) -> str:
        d = self.digits
        return f"{d[:3]}.{d[3:6]}.{d[6:9]}-{d[9:]}"

    def __str__(self) -> str:
        return self.formatted


@dataclass(frozen=True, slots=True)
class Cnpj:
    """A company's tax id. Built from ``12.345.678/0001-95`` or ``12345678000195``; keeps digits.

    Numeric CNPJs only: the alphanumeric CNPJ announced by the Receita Federal is not accepted yet.
    """

    digits: str

    def __post_init__(self) -> None:
        checked = _validated_digits(self.digits, length=14, weights=_CNPJ_WEIGHTS, name="cnpj")
        object.__setattr__(self, "digits", checked)

    @property
    def formatted(self) -> str:
        d = self.digits
        return f"{d[:2]}.{d[2:5]}.{d[5:8]}/{d[8:12]}-{d[12:]}"

    def __str__(self) -> str:
        return self.formatted


TaxId: TypeAlias = Cpf | Cnpj


def parse_tax_id(text: str) -> TaxId:
    """A CPF when the text holds 11 digits, a CNPJ when it holds 14.

    :raises ValidationError: (field ``tax_id``) any other length or an invalid document.
    """
    digits = _strip_mask(text)
    try:
        if len(digits) == 11:
            return Cpf(digits)
        if len(digits) == 14:
            return Cnpj(digits)
    except ValidationError as e:
        raise ValidationError(str(e), field="tax_id") from e
    raise ValidationError("a tax id is a CPF (11 digits) or a CNPJ (14 digits)", field="tax_id")


_EMAIL_LOCAL = re.compile(r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_EMAIL_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
_EMAIL_DOMAIN = re.compile(rf"({_EMAIL_LABEL}\.)+([a-z]{{2,63}}|xn--[a-z0-9-]{{1,59}})")


@dataclass(frozen=True, slots=True)
class Email:
    """An e-mail address, trimmed and lower-cased.

    Pragmatic syntax: ASCII ``local@domain.tld``, local part ≤ 64 characters without leading,
    trailing or doubled dots, at least one dot in the domain, whole address ≤ 254 characters.
    Quoted local parts, IP-literal domains and non-ASCII addresses are rejected.
    """

    address: str

    def __post_init__(self) -> None:
        address = self.address.strip().lower()
        if len(address) > 254:
            raise ValidationError("e-mail address longer than 254 characters", field="email")
        local, at, domain = address.rpartition("@")
        if (
            not at
            or len(local) > 64
            or not _EMAIL_LOCAL.fullmatch(local)
            or not _EMAIL_DOMAIN.fullmatch(domain)
        ):
            raise ValidationError(f"not a valid e-mail address: {self.address!r}", field="email")
        object.__setattr__(self, "address", address)

    def __str__(self) -> str:
        return self.address
