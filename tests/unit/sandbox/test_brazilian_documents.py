"""Generated CPF/CNPJ numbers are valid (checked against Ponte's own validator) and NF-e keys
carry their check digit."""

from __future__ import annotations

import pytest

from domain.documents import Cnpj, Cpf
from sandbox.totvs_moda.documents import is_cnpj, is_cpf, make_cnpj, make_cpf, nfe_access_key


@pytest.mark.parametrize("number", [0, 1, 111_111_111, 123_456_789, 987_654_321_987])
def test_generated_documents_are_valid(number: int) -> None:
    cpf, cnpj = make_cpf(number), make_cnpj(number, 3)
    assert Cpf(cpf).digits == cpf
    assert Cnpj(cnpj).digits == cnpj
    assert is_cpf(cpf)
    assert is_cnpj(cnpj)
    assert cnpj[8:12] == "0003"


def test_known_documents() -> None:
    assert is_cpf("52998224725")
    assert not is_cpf("52998224726")
    assert not is_cpf("11111111111")
    assert not is_cpf("5299822472")
    assert is_cnpj("11222333000181")
    assert not is_cnpj("11222333000182")
    assert not is_cnpj("1122233300018a")


def test_nfe_access_key_has_44_digits_and_a_mod11_check_digit() -> None:
    key = nfe_access_key(
        state=35, yymm="2604", cnpj=make_cnpj(42, 1), serial=1, number=100_001, code=12345678
    )
    assert len(key) == 44
    assert key.isdigit()
    assert key[:6] == "352604"
    assert key[20:22] == "55"
    weights = [2 + n % 8 for n in range(43)]
    total = sum(int(d) * w for d, w in zip(reversed(key[:43]), weights, strict=True))
    remainder = total % 11
    assert key[43] == ("0" if remainder < 2 else str(11 - remainder))
