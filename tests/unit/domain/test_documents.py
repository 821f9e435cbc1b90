from decimal import Decimal

import pytest

from domain.documents import Cnpj, Cpf, Email, parse_tax_id
from domain.errors import ValidationError
from domain.money import Money

# Publicly known valid numbers, plus numbers whose check digits come from a remainder of 0 or 1
# (both map to check digit 0): remainders worked out by hand, e.g. 942.080.939 → Σ=253, 253 mod 11
# = 0 → 0; 942.080.939-0 → Σ=297, 297 mod 11 = 0 → 0.
VALID_CPFS = [
    "12345678909",
    "52998224725",
    "11144477735",
    "94208093900",  # remainders 0, 0
    "55458808100",  # remainders 1, 1
    "92947822200",  # remainders 0, 1
    "86886994700",  # remainders 1, 0
]
VALID_CNPJS = [
    "12345678000195",
    "00000000000191",  # Banco do Brasil
    "33000167000101",  # Petrobras
    "11222333000181",
    "12892371003200",  # remainders 0, 0
    "11345285578200",  # remainders 1, 1
]


def _with_digit(digits: str, index: int, value: str) -> str:
    return digits[:index] + value + digits[index + 1 :]


# --- CPF ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("digits", VALID_CPFS)
def test_valid_cpf_round_trips_between_digits_and_formatted(digits: str) -> None:
    cpf = Cpf(digits)
    formatted = f"{digits[:3]}.{digits[3:6]}.{digits[6:9]}-{digits[9:]}"

    assert cpf.digits == digits
    assert cpf.formatted == formatted
    assert str(cpf) == formatted
    assert Cpf(formatted) == cpf
    assert Cpf(formatted).digits == digits


@pytest.mark.parametrize(
    "text", ["123.456.789-09", " 123.456.789-09 ", "123456789-09", "123 456 789 09"]
)
def test_cpf_ignores_separators_and_surrounding_space(text: str) -> None:
    assert Cpf(text).digits == "12345678909"


@pytest.mark.parametrize("index", [9, 10])
@pytest.mark.parametrize("digits", VALID_CPFS)
def test_cpf_with_any_other_check_digit_is_rejected(digits: str, index: int) -> None:
    for wrong in "0123456789".replace(digits[index], ""):
        with pytest.raises(ValidationError, match="check digits") as caught:
            Cpf(_with_digit(digits, index, wrong))
        assert caught.value.field == "cpf"


@pytest.mark.parametrize("digit", "0123456789")
def test_cpf_with_all_digits_equal_is_rejected(digit: str) -> None:
    with pytest.raises(ValidationError, match="all digits equal") as caught:
        Cpf(digit * 11)
    assert caught.value.field == "cpf"


def test_cpf_with_all_digits_equal_is_rejected_when_formatted() -> None:
    with pytest.raises(ValidationError, match="all digits equal"):
        Cpf("111.111.111-11")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1234567890",
        "123456789090",
        "1234567890a",
        "123.456.789/0a",
        "١٢٣٤٥٦٧٨٩٠٩",
        "12345678909x",
    ],
)
def test_cpf_with_wrong_length_or_non_digits_is_rejected(text: str) -> None:
    with pytest.raises(ValidationError, match="11 digits") as caught:
        Cpf(text)
    assert caught.value.field == "cpf"


# --- CNPJ --------------------------------------------------------------------------------------


@pytest.mark.parametrize("digits", VALID_CNPJS)
def test_valid_cnpj_round_trips_between_digits_and_formatted(digits: str) -> None:
    cnpj = Cnpj(digits)
    formatted = f"{digits[:2]}.{digits[2:5]}.{digits[5:8]}/{digits[8:12]}-{digits[12:]}"

    assert cnpj.digits == digits
    assert cnpj.formatted == formatted
    assert str(cnpj) == formatted
    assert Cnpj(formatted) == cnpj


def test_cnpj_from_the_brief_formats_as_expected() -> None:
    assert Cnpj("12.345.678/0001-95").digits == "12345678000195"
    assert Cnpj("12345678000195").formatted == "12.345.678/0001-95"


@pytest.mark.parametrize("index", [12, 13])
@pytest.mark.parametrize("digits", VALID_CNPJS)
def test_cnpj_with_any_other_check_digit_is_rejected(digits: str, index: int) -> None:
    for wrong in "0123456789".replace(digits[index], ""):
        with pytest.raises(ValidationError, match="check digits") as caught:
            Cnpj(_with_digit(digits, index, wrong))
        assert caught.value.field == "cnpj"


@pytest.mark.parametrize("digit", "0123456789")
def test_cnpj_with_all_digits_equal_is_rejected(digit: str) -> None:
    with pytest.raises(ValidationError, match="all digits equal") as caught:
        Cnpj(digit * 14)
    assert caught.value.field == "cnpj"


@pytest.mark.parametrize(
    "text", ["", "1234567800019", "123456780001950", "12.345.678/0001-9A", "12345678909"]
)
def test_cnpj_with_wrong_length_or_non_digits_is_rejected(text: str) -> None:
    with pytest.raises(ValidationError, match="14 digits") as caught:
        Cnpj(text)
    assert caught.value.field == "cnpj"


def test_cpf_and_cnpj_are_immutable() -> None:
    cpf = Cpf("12345678909")
    with pytest.raises(AttributeError):
        cpf.digits = "52998224725"  # type: ignore[misc]


# --- parse_tax_id ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["123.456.789-09", "12345678909"])
def test_parse_tax_id_picks_cpf_for_eleven_digits(text: str) -> None:
    assert parse_tax_id(text) == Cpf("12345678909")


@pytest.mark.parametrize("text", ["12.345.678/0001-95", "12345678000195"])
def test_parse_tax_id_picks_cnpj_for_fourteen_digits(text: str) -> None:
    assert parse_tax_id(text) == Cnpj("12345678000195")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "CPF .11 digits. or a CNPJ"),
        ("1234567890", "CPF .11 digits. or a CNPJ"),
        ("123456789012", "CPF .11 digits. or a CNPJ"),
        ("123.456.789-00", "check digits"),
        ("12.345.678/0001-00", "check digits"),
        ("11111111111", "all digits equal"),
        ("1234567890a", "CPF has 11 digits"),
    ],
)
def test_parse_tax_id_reports_every_failure_on_the_tax_id_field(text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as caught:
        parse_tax_id(text)
    assert caught.value.field == "tax_id"


# --- Email -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Maria.Silva@Example.COM.br", "maria.silva@example.com.br"),
        ("  ana+loja@gmail.com\n", "ana+loja@gmail.com"),
        ("o'neil_1@sub.domain-x.io", "o'neil_1@sub.domain-x.io"),
        ("x@xn--lojinha-9xa.com.br", "x@xn--lojinha-9xa.com.br"),
        ("a@b.xn--p1ai", "a@b.xn--p1ai"),
    ],
)
def test_email_is_trimmed_and_lower_cased(text: str, address: str) -> None:
    email = Email(text)

    assert email.address == address
    assert str(email) == address
    assert Email(address) == email


@pytest.mark.parametrize(
    "text",
    [
        "",
        "plainaddress",
        "@example.com",
        "maria@",
        "maria@example",
        "maria@@example.com",
        "ma ria@example.com",
        ".maria@example.com",
        "maria.@example.com",
        "ma..ria@example.com",
        "maria@-example.com",
        "maria@example-.com",
        "maria@example..com",
        "maria@example.c",
        "maria@example.com.",
        "maria@example.123",
        "joão@example.com",
        "maria@exämple.com",
        '"maria"@example.com',
        "maria@[127.0.0.1]",
        "a" * 65 + "@example.com",
    ],
)
def test_email_with_bad_syntax_is_rejected(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Email(text)
    assert caught.value.field == "email"


def test_email_length_limit_is_254_characters() -> None:
    domain = ".".join(["a" * 60] * 4) + ".com"  # 247 characters
    fits = "b" * (254 - len(domain) - 1) + "@" + domain
    too_long = "b" + fits

    assert len(fits) == 254
    assert len(fits.split("@")[0]) <= 64
    assert Email(fits).address == fits
    with pytest.raises(ValidationError, match="254") as caught:
        Email(too_long)
    assert caught.value.field == "email"


def test_local_part_of_64_characters_is_allowed() -> None:
    assert Email("a" * 64 + "@example.com").address == "a" * 64 + "@example.com"


# --- Money -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "stored"),
    [
        (Decimal("10"), "10.00"),
        (Decimal("10.5"), "10.50"),
        (Decimal("10.50"), "10.50"),
        (Decimal("10.500"), "10.50"),
        (Decimal("0"), "0.00"),
        (7, "7.00"),
    ],
)
def test_money_keeps_exactly_two_places(amount: Decimal, stored: str) -> None:
    money = Money(amount)

    assert str(money.amount) == stored
    assert str(money) == stored
    assert money.amount.as_tuple().exponent == -2


def test_negative_zero_is_plain_zero() -> None:
    assert str(Money(Decimal("-0"))) == "0.00"
    assert str(Money(Decimal("1.25")) - Money(Decimal("1.25"))) == "0.00"


def test_money_equality_ignores_trailing_zeros_of_the_input() -> None:
    assert Money(Decimal("1.5")) == Money(Decimal("1.50")) == Money(Decimal("1.500"))
    assert hash(Money(Decimal("1.5"))) == hash(Money(Decimal("1.50")))


@pytest.mark.parametrize("amount", [Decimal("0.001"), Decimal("10.005"), Decimal("1E-3")])
def test_money_rejects_sub_cent_amounts_instead_of_rounding(amount: Decimal) -> None:
    with pytest.raises(ValidationError, match="two decimal places") as caught:
        Money(amount)
    assert caught.value.field == "amount"


@pytest.mark.parametrize("amount", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_money_rejects_non_finite_amounts(amount: Decimal) -> None:
    with pytest.raises(ValidationError) as caught:
        Money(amount, allow_negative=True)
    assert caught.value.field == "amount"


def test_money_rejects_amounts_too_large_to_hold_cents() -> None:
    with pytest.raises(ValidationError, match="out of range"):
        Money(Decimal("1E+30"))


@pytest.mark.parametrize("amount", [1.5, 0.0, True, "1.50", None])
def test_money_is_never_built_from_a_float_or_anything_but_decimal_or_int(amount: object) -> None:
    with pytest.raises(TypeError):
        Money(amount)  # type: ignore[arg-type]


def test_money_rejects_negative_amounts_unless_allowed() -> None:
    with pytest.raises(ValidationError, match="negative") as caught:
        Money(Decimal("-0.01"))
    assert caught.value.field == "amount"

    assert Money(Decimal("-0.01"), allow_negative=True).amount == Decimal("-0.01")


def test_allow_negative_takes_no_part_in_equality() -> None:
    assert Money(Decimal(5)) == Money(Decimal(5), allow_negative=True)


def test_money_adds_and_subtracts() -> None:
    assert Money(Decimal("10.10")) + Money(Decimal("0.95")) == Money(Decimal("11.05"))
    assert Money(Decimal("10.10")) - Money(Decimal("0.95")) == Money(Decimal("9.15"))
    assert Money(Decimal("10.10")) - Money(Decimal("10.10")) == Money.zero()


def test_subtracting_below_zero_fails_unless_an_operand_allows_negatives() -> None:
    with pytest.raises(ValidationError, match="negative"):
        Money(Decimal(1)) - Money(Decimal(2))

    signed = Money(Decimal(1), allow_negative=True) - Money(Decimal(2))
    assert signed.amount == Decimal("-1.00")
    assert (signed + Money(Decimal("-1"), allow_negative=True)).amount == Decimal("-2.00")


def test_money_multiplies_by_an_int_quantity_on_either_side() -> None:
    price = Money(Decimal("19.99"))

    assert price * 3 == Money(Decimal("59.97"))
    assert 3 * price == Money(Decimal("59.97"))
    assert price * 0 == Money.zero()


def test_multiplying_by_a_negative_quantity_is_refused_for_unsigned_money() -> None:
    with pytest.raises(ValidationError, match="negative"):
        Money(Decimal(2)) * -1


@pytest.mark.parametrize("factor", [1.5, Decimal("1.5"), True, "2"])
def test_money_multiplies_only_by_an_int(factor: object) -> None:
    with pytest.raises(TypeError):
        Money(Decimal(2)) * factor  # type: ignore[operator]


def test_money_adds_only_money() -> None:
    with pytest.raises(TypeError):
        Money(Decimal(2)) + Decimal(1)  # type: ignore[operator]
    with pytest.raises(TypeError):
        Money(Decimal(2)) - 1  # type: ignore[operator]


def test_money_orders_by_amount() -> None:
    assert Money(Decimal("9.99")) < Money(Decimal(10)) <= Money(Decimal("10.00"))
    assert max(Money(Decimal(3)), Money(Decimal(30)), Money(Decimal("4.5"))) == Money(Decimal(30))


def test_money_sums_from_zero() -> None:
    prices = [Money(Decimal("0.10"))] * 3

    assert sum(prices, Money.zero()) == Money(Decimal("0.30"))
