import pytest

from domain.sync import STAGES, Stream


@pytest.mark.parametrize("name", ["production_orders", "production-orders"])
def test_parse_accepts_dashes_or_underscores(name: str) -> None:
    assert Stream.parse(name) is Stream.PRODUCTION_ORDERS


@pytest.mark.parametrize("stream", list(Stream))
def test_parse_accepts_every_stream_name(stream: Stream) -> None:
    assert Stream.parse(stream.value) is stream


def test_parse_of_an_unknown_name_lists_the_choices() -> None:
    with pytest.raises(ValueError, match="unknown stream 'stocks'") as caught:
        Stream.parse("stocks")

    assert all(stream.value in str(caught.value) for stream in Stream)


def test_stages_cover_every_stream_once_in_declaration_order() -> None:
    flattened = [stream for stage in STAGES for stream in stage]

    assert flattened == list(Stream)


def test_products_come_after_their_reference_data_and_before_balances() -> None:
    stage_of = {stream: index for index, stage in enumerate(STAGES) for stream in stage}

    for reference in (Stream.COLORS, Stream.SIZES, Stream.CLASSIFICATIONS):
        assert stage_of[reference] < stage_of[Stream.PRODUCTS]
    for dependent in (Stream.BALANCES, Stream.PRICES, Stream.COSTS, Stream.PRODUCTION_ORDERS):
        assert stage_of[Stream.PRODUCTS] < stage_of[dependent]
