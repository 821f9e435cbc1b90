from decimal import Decimal

import pytest

from domain.errors import ValidationError
from domain.stock import BALANCE_TERMS, DEFAULT_AVAILABLE_FORMULA, AvailableStockFormula

VALUES = {
    "stock": Decimal(100),
    "sales_order": Decimal(7),
    "input_transaction": Decimal(20),
    "output_transaction": Decimal(5),
    "production_order_progress": Decimal(300),
    "production_order_wait_lib": Decimal(4000),
}


def test_default_formula_adds_inputs_and_subtracts_outputs_and_orders() -> None:
    formula = AvailableStockFormula.parse(DEFAULT_AVAILABLE_FORMULA)

    assert formula.terms == (
        (1, "stock"),
        (1, "input_transaction"),
        (-1, "output_transaction"),
        (-1, "sales_order"),
    )
    assert formula.apply(VALUES) == Decimal(108)
    assert str(formula) == DEFAULT_AVAILABLE_FORMULA


@pytest.mark.parametrize("term", BALANCE_TERMS)
def test_every_balance_term_is_allowed_with_either_sign(term: str) -> None:
    plus = AvailableStockFormula.parse(term)
    minus = AvailableStockFormula.parse(f"- {term}")

    assert plus.terms == ((1, term),)
    assert minus.terms == ((-1, term),)
    assert plus.apply(VALUES) == VALUES[term]
    assert minus.apply(VALUES) == -VALUES[term]


def test_a_leading_minus_negates_the_first_term() -> None:
    formula = AvailableStockFormula.parse("-sales_order + stock")

    assert formula.terms == ((-1, "sales_order"), (1, "stock"))
    assert formula.apply(VALUES) == Decimal(93)
    assert str(formula) == "- sales_order + stock"


def test_whitespace_and_case_do_not_matter() -> None:
    tight = AvailableStockFormula.parse("stock+input_transaction-sales_order")
    loose = AvailableStockFormula.parse("  STOCK   +\tInput_Transaction -   sales_order \n")

    assert loose == tight
    assert str(loose) == "stock + input_transaction - sales_order"


@pytest.mark.parametrize(
    "text",
    [DEFAULT_AVAILABLE_FORMULA, "-sales_order + stock", "production_order_wait_lib - stock"],
)
def test_str_parses_back_to_the_same_formula(text: str) -> None:
    formula = AvailableStockFormula.parse(text)

    assert AvailableStockFormula.parse(str(formula)) == formula


def test_unknown_term_is_named_with_the_allowed_terms() -> None:
    with pytest.raises(ValidationError) as caught:
        AvailableStockFormula.parse("stock - reserved")

    assert caught.value.field == "formula"
    assert "'reserved'" in str(caught.value)
    assert all(term in str(caught.value) for term in BALANCE_TERMS)


def test_terms_without_a_sign_between_them_are_rejected() -> None:
    with pytest.raises(ValidationError, match="missing \\+ or - before 'sales_order'") as caught:
        AvailableStockFormula.parse("stock sales_order")

    assert caught.value.field == "formula"


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_formula_is_rejected(text: str) -> None:
    with pytest.raises(ValidationError, match="empty") as caught:
        AvailableStockFormula.parse(text)

    assert caught.value.field == "formula"


@pytest.mark.parametrize(
    "text",
    ["stock +", "+", "stock * 2", "stock + 3", "stock - - sales_order", "stock, sales_order"],
)
def test_garbage_is_rejected(text: str) -> None:
    with pytest.raises(ValidationError, match="cannot parse") as caught:
        AvailableStockFormula.parse(text)

    assert caught.value.field == "formula"


@pytest.mark.parametrize(
    ("text", "nets"),
    [
        (DEFAULT_AVAILABLE_FORMULA, True),
        ("stock - sales_order", True),
        ("stock", False),
        ("stock + sales_order", False),
    ],
)
def test_a_formula_nets_out_sales_orders_only_when_it_subtracts_them(text: str, nets: bool) -> None:
    assert AvailableStockFormula.parse(text).nets_out_sales_orders is nets
