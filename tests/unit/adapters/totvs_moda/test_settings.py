from __future__ import annotations

import pytest

from adapters.totvs_moda import PageSizes
from domain.errors import ValidationError
from tests.unit.adapters.totvs_moda.conftest import SECRETS, make_settings


def test_repr_and_str_mask_every_secret() -> None:
    settings = make_settings()
    for text in (repr(settings), str(settings), f"{settings}"):
        assert "api-user" in text
        for secret in SECRETS:
            assert secret not in text
        assert "client_secret='***'" in text


def test_urls_are_built_from_base_prefix_and_path() -> None:
    assert make_settings(base_url="https://h:9443/").url("product/v2/grid") == (
        "https://h:9443/api/totvsmoda/product/v2/grid"
    )
    assert make_settings(base_url="http://10.0.0.1:11980", path_prefix="").url("x/v2/y") == (
        "http://10.0.0.1:11980/x/v2/y"
    )


def test_defaults_follow_the_contract() -> None:
    settings = make_settings()
    assert settings.page_sizes == PageSizes()
    assert settings.page_sizes.production_orders == 500
    assert settings.page_sizes.products == 1000
    assert (settings.concurrency, settings.timeout, settings.verify_tls) == (4, 30.0, True)
    assert settings.classification_type_codes == (1, 2, 3)


def test_an_unusable_setting_is_refused() -> None:
    with pytest.raises(ValueError):
        make_settings(branch_codes=())
    with pytest.raises(ValueError):
        make_settings(concurrency=0)
    with pytest.raises(ValueError):
        PageSizes(products=0)
    with pytest.raises(ValidationError):
        make_settings(available_formula="stock + bananas")
