from datetime import timedelta

import pytest

from domain.stock import DEFAULT_AVAILABLE_FORMULA
from entrypoints.settings import Secret, SettingsError, load_settings, require_erp

ERP = {
    "TOTVS_MODA_URL": "https://erp.example.com/",
    "TOTVS_MODA_CLIENT_ID": "ponte",
    "TOTVS_MODA_CLIENT_SECRET": "client-secret-value-123",
    "TOTVS_MODA_USERNAME": "integration",
    "TOTVS_MODA_PASSWORD": "password-value-456",
}


def test_defaults_apply_when_nothing_is_set() -> None:
    settings = load_settings({})

    assert (settings.database_url, settings.redis_url) == (None, None)
    assert (settings.api_host, settings.api_port) == ("127.0.0.1", 8000)
    assert (settings.log_level, settings.data_dir) == ("INFO", ".ponte")
    assert settings.sync_lookback == timedelta(seconds=30)
    assert settings.sync_every_minute is True
    erp = settings.erp
    assert (erp.url, erp.client_id, erp.username, erp.branch, erp.api_key) == (
        "",
        "",
        "",
        None,
        None,
    )
    assert (erp.branch_codes, erp.stock_codes, erp.price_codes, erp.cost_codes) == (
        (1,),
        (1,),
        (1,),
        (1,),
    )
    assert erp.classification_types == (1, 2, 3)
    assert str(erp.available_formula) == DEFAULT_AVAILABLE_FORMULA
    assert (erp.concurrency, erp.timeout, erp.verify_tls) == (4, timedelta(seconds=30), True)


def test_set_variables_are_parsed() -> None:
    settings = load_settings(
        {
            **ERP,
            "TOTVS_MODA_BRANCH_CODES": " 1, 2,,5 ",
            "TOTVS_MODA_AVAILABLE_FORMULA": "stock - sales_order",
            "TOTVS_MODA_CONCURRENCY": "8",
            "TOTVS_MODA_TIMEOUT_SECONDS": "2.5",
            "TOTVS_MODA_VERIFY_TLS": "off",
            "TOTVS_MODA_BRANCH": "matriz",
            "SYNC_LOOKBACK_SECONDS": "120",
            "SYNC_CRON_ENABLED": "No",
            "API_PORT": "9000",
            "LOG_LEVEL": "debug",
        }
    )

    erp = settings.erp
    assert erp.url == "https://erp.example.com"
    assert erp.branch_codes == (1, 2, 5)
    assert str(erp.available_formula) == "stock - sales_order"
    assert (erp.concurrency, erp.timeout, erp.verify_tls) == (8, timedelta(seconds=2.5), False)
    assert erp.branch == "matriz"
    assert erp.client_secret.reveal() == "client-secret-value-123"
    assert settings.sync_lookback == timedelta(minutes=2)
    assert settings.sync_every_minute is False
    assert (settings.api_port, settings.log_level) == (9000, "DEBUG")


def test_blank_values_count_as_unset() -> None:
    settings = load_settings({"API_PORT": "  ", "DATABASE_URL": "", "TOTVS_MODA_BRANCH": " "})

    assert (settings.api_port, settings.database_url, settings.erp.branch) == (8000, None, None)


def test_every_invalid_variable_is_reported_at_once() -> None:
    bad = {
        "TOTVS_MODA_URL": "ftp://erp.example.com",
        "TOTVS_MODA_BRANCH_CODES": "1,two",
        "TOTVS_MODA_STOCK_CODES": ",",
        "TOTVS_MODA_VERIFY_TLS": "maybe",
        "TOTVS_MODA_AVAILABLE_FORMULA": "stock + reserved",
        "TOTVS_MODA_CONCURRENCY": "0",
        "API_PORT": "70000",
        "DATABASE_URL": "mysql://db/ponte",
        "REDIS_URL": "http://cache",
        "SYNC_LOOKBACK_SECONDS": "-1",
        "LOG_LEVEL": "TRACE",
    }

    with pytest.raises(SettingsError) as caught:
        load_settings({**ERP, **bad})

    problems = caught.value.problems
    assert set(problems) == set(bad)
    assert "'reserved'" in problems["TOTVS_MODA_AVAILABLE_FORMULA"]
    assert problems["API_PORT"] == "must be a TCP port (1-65535)"
    assert problems["TOTVS_MODA_VERIFY_TLS"] == "must be true or false"
    assert all(name in str(caught.value) for name in bad)


@pytest.mark.parametrize("name", ["API_PORT", "TOTVS_MODA_CONCURRENCY", "SYNC_LOOKBACK_SECONDS"])
def test_non_numbers_are_reported(name: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({name: "abc"})

    assert set(caught.value.problems) == {name}


@pytest.mark.parametrize("value", ["inf", "1e20"])
def test_out_of_range_seconds_are_reported(value: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({"SYNC_LOOKBACK_SECONDS": value, "TOTVS_MODA_TIMEOUT_SECONDS": value})

    assert set(caught.value.problems) == {"SYNC_LOOKBACK_SECONDS", "TOTVS_MODA_TIMEOUT_SECONDS"}


@pytest.mark.parametrize(
    "url",
    [
        "postgres://u:p@db:5432/ponte",
        "postgresql://u:p@db:5432/ponte",
        "postgresql+asyncpg://u:p@db:5432/ponte",
    ],
)
def test_database_url_is_normalised_to_asyncpg(url: str) -> None:
    settings = load_settings({"DATABASE_URL": url})

    assert settings.database_url == "postgresql+asyncpg://u:p@db:5432/ponte"


def test_secrets_never_show_in_printed_settings() -> None:
    settings = load_settings({**ERP, "TOTVS_MODA_API_KEY": "api-key-value-789"})
    secrets = ("client-secret-value-123", "password-value-456", "api-key-value-789")

    printed = [repr(settings), str(settings), f"{settings}", f"{settings.erp!r}", f"{settings.erp}"]

    for text in printed:
        assert "**********" in text
        assert not any(secret in text for secret in secrets), text
    assert settings.erp.password.reveal() == "password-value-456"
    assert settings.erp.api_key == Secret("api-key-value-789")


def test_require_servers_names_both_missing_variables() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({}).require_servers()

    assert set(caught.value.problems) == {"DATABASE_URL", "REDIS_URL"}


def test_require_servers_names_only_the_missing_one() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({"REDIS_URL": "redis://127.0.0.1:6379/0"}).require_servers()

    assert set(caught.value.problems) == {"DATABASE_URL"}


def test_require_servers_returns_both_urls() -> None:
    settings = load_settings({"DATABASE_URL": "postgres://db/p", "REDIS_URL": "redis://r:6379/0"})

    assert settings.require_servers() == ("postgresql+asyncpg://db/p", "redis://r:6379/0")


def test_require_erp_names_every_missing_credential() -> None:
    with pytest.raises(SettingsError) as caught:
        require_erp(load_settings({"TOTVS_MODA_URL": "https://erp.example.com"}))

    assert set(caught.value.problems) == set(ERP) - {"TOTVS_MODA_URL"}


def test_require_erp_accepts_complete_credentials() -> None:
    require_erp(load_settings(ERP))


def test_sign_in_rate_limits_default_and_parse() -> None:
    defaults = load_settings({})
    assert (defaults.auth_rate_limit_account, defaults.auth_rate_limit_client) == (10, 30)
    assert defaults.auth_rate_limit_window == timedelta(seconds=60)
    settings = load_settings(
        {
            "AUTH_RATE_LIMIT_ACCOUNT": "5",
            "AUTH_RATE_LIMIT_CLIENT": "50",
            "AUTH_RATE_LIMIT_WINDOW_SECONDS": "300",
        }
    )
    assert (settings.auth_rate_limit_account, settings.auth_rate_limit_client) == (5, 50)
    assert settings.auth_rate_limit_window == timedelta(minutes=5)


def test_bad_sign_in_rate_limits_are_reported_by_name() -> None:
    bad = {"AUTH_RATE_LIMIT_ACCOUNT": "0", "AUTH_RATE_LIMIT_CLIENT": "x"}
    with pytest.raises(SettingsError) as caught:
        load_settings({**bad, "AUTH_RATE_LIMIT_WINDOW_SECONDS": "-1"})
    assert set(caught.value.problems) == {*bad, "AUTH_RATE_LIMIT_WINDOW_SECONDS"}


def test_write_back_defaults() -> None:
    settings = load_settings({})

    outbox = settings.outbox
    assert outbox.enabled is True
    assert (outbox.retry_base, outbox.retry_max, outbox.max_attempts) == (
        timedelta(seconds=1),
        timedelta(minutes=10),
        24,
    )
    assert (outbox.lease, outbox.batch, outbox.concurrency) == (timedelta(seconds=60), 64, 16)
    assert outbox.sweep == timedelta(seconds=5)
    assert outbox.call_log_retention == timedelta(days=14)
    assert outbox.idempotency_retention == timedelta(hours=48)
    orders = settings.erp.orders
    assert (orders.branch_code, orders.operation_code, orders.status_order) == (
        None,
        510,
        "InProgress",
    )
    assert settings.erp.orders_history_days == 90


def test_write_back_variables_are_parsed() -> None:
    settings = load_settings(
        {
            "OUTBOX_ENABLED": "false",
            "OUTBOX_RETRY_BASE_SECONDS": "0.5",
            "OUTBOX_RETRY_MAX_SECONDS": "30",
            "OUTBOX_MAX_ATTEMPTS": "5",
            "OUTBOX_LEASE_SECONDS": "10",
            "TOTVS_MODA_TIMEOUT_SECONDS": "5",
            "OUTBOX_LOOKUP_DELAY_SECONDS": "2",
            "OUTBOX_CONCURRENCY": "4",
            "CALL_LOG_RETENTION_DAYS": "3",
            "IDEMPOTENCY_KEY_HOURS": "24",
            "TOTVS_MODA_ORDER_BRANCH": "7",
            "TOTVS_MODA_SELLER_CODE": "12",
            "TOTVS_MODA_ORDER_STATUS": "Blocked",
            "TOTVS_MODA_ORDER_CLASSIFICATION": "5:ECOM",
            "TOTVS_MODA_ORDERS_HISTORY_DAYS": "30",
        }
    )

    outbox = settings.outbox
    assert outbox.enabled is False
    assert (outbox.retry_base, outbox.retry_max) == (timedelta(seconds=0.5), timedelta(seconds=30))
    assert (outbox.max_attempts, outbox.lease, outbox.concurrency) == (
        5,
        timedelta(seconds=10),
        4,
    )
    assert outbox.lookup_delay == timedelta(seconds=2)
    assert outbox.call_log_retention == timedelta(days=3)
    assert outbox.idempotency_retention == timedelta(hours=24)
    orders = settings.erp.orders
    assert (orders.branch_code, orders.seller_code, orders.status_order) == (7, 12, "Blocked")
    assert orders.classification == (5, "ECOM")
    assert settings.erp.orders_history_days == 30


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({"OUTBOX_LEASE_SECONDS": "1"}, "OUTBOX_LEASE_SECONDS"),
        ({"OUTBOX_LEASE_SECONDS": "50"}, "OUTBOX_LEASE_SECONDS"),
        ({"OUTBOX_RETRY_BASE_SECONDS": "0"}, "OUTBOX_RETRY_BASE_SECONDS"),
        (
            {"OUTBOX_RETRY_BASE_SECONDS": "60", "OUTBOX_RETRY_MAX_SECONDS": "10"},
            "OUTBOX_RETRY_MAX_SECONDS",
        ),
        ({"IDEMPOTENCY_KEY_HOURS": "23"}, "IDEMPOTENCY_KEY_HOURS"),
        ({"TOTVS_MODA_ORDER_STATUS": "Attended"}, "TOTVS_MODA_ORDER_DEFAULTS"),
        ({"TOTVS_MODA_ORDER_CLASSIFICATION": "ECOM"}, "TOTVS_MODA_ORDER_CLASSIFICATION"),
        ({"TOTVS_MODA_ORDERS_HISTORY_DAYS": "0"}, "TOTVS_MODA_ORDERS_HISTORY_DAYS"),
        ({"TOTVS_MODA_AVAILABLE_FORMULA": "stock"}, "TOTVS_MODA_AVAILABLE_FORMULA"),
    ],
)
def test_bad_write_back_variables_are_named(env: dict[str, str], name: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(env)

    assert name in caught.value.problems


def test_a_formula_without_sales_orders_is_fine_while_nothing_is_written_back() -> None:
    settings = load_settings({"TOTVS_MODA_AVAILABLE_FORMULA": "stock", "OUTBOX_ENABLED": "no"})

    assert str(settings.erp.available_formula) == "stock"
