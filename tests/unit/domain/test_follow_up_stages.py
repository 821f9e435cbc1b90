"""The follow-up streams run after the catalog, customers before the orders that name them."""

from domain.sync import STAGES, Stream


def test_customers_run_after_the_catalog_and_before_orders() -> None:
    stage_of = {stream: index for index, stage in enumerate(STAGES) for stream in stage}
    follow_up = {Stream.INDIVIDUALS, Stream.LEGAL_ENTITIES, Stream.ORDERS}
    catalog = max(stage_of[s] for s in Stream if s not in follow_up)

    assert stage_of[Stream.INDIVIDUALS] == stage_of[Stream.LEGAL_ENTITIES] > catalog
    assert stage_of[Stream.ORDERS] > stage_of[Stream.INDIVIDUALS]
    assert STAGES[-1] == (Stream.ORDERS,)


def test_the_follow_up_streams_take_dashed_names_too() -> None:
    assert Stream.parse("legal-entities") is Stream.LEGAL_ENTITIES
    assert Stream.parse("orders") is Stream.ORDERS
