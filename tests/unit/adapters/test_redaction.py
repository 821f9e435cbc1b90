"""Bodies for the log of outside calls: secrets and personal data masked, size capped."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from adapters.redaction import Redactor, redact_json, redact_query, scrub_text

CUSTOMER: dict[str, Any] = {
    "branchCode": 1,
    "customerCpfCnpj": "12345678901",
    "Name": "Maria da Silva",
    "FANTASYNAME": "Loja da Maria",
    "motherName": "Ana",
    "birthDate": "1990-05-01",
    "isInactive": False,
    "emails": [{"typeCode": 1, "email": "maria@example.com", "isDefault": True}],
    "phones": [{"typeCode": 2, "number": "11987654321", "isDefault": True}],
    "addresses": [
        {
            "addressType": 1,
            "publicPlace": "Rua das Flores",
            "Address": "Rua das Flores",
            "addressNumber": 100,
            "number": "100",
            "complement": "apto 3",
            "neighborhood": "Centro",
            "cep": "01001000",
            "reference": "perto da praça",
            "cityName": "São Paulo",
        }
    ],
    "invoice": {"accessKey": "35240112345678000190550010000001231000001234", "number": 123},
    "orderCode": 77,
}


def test_personal_data_is_masked_at_any_depth_and_in_any_casing() -> None:
    redacted = redact_json(CUSTOMER)

    assert redacted["customerCpfCnpj"] == "***01"  # a document keeps a hint
    for key in ("Name", "FANTASYNAME", "motherName", "birthDate"):
        assert redacted[key] == "***"
    assert redacted["emails"][0] == {"typeCode": 1, "email": "***", "isDefault": True}
    assert redacted["phones"][0] == {"typeCode": 2, "number": "***", "isDefault": True}
    address = redacted["addresses"][0]
    for key in (
        "publicPlace",
        "Address",
        "addressNumber",
        "number",
        "complement",
        "neighborhood",
        "cep",
        "reference",
    ):
        assert address[key] == "***", key
    assert address["addressType"] == 1
    assert address["cityName"] == "São Paulo"
    # Outside phones and addresses, ``number`` is no personal data; NF-e keys are kept.
    assert redacted["invoice"] == CUSTOMER["invoice"]
    assert (redacted["branchCode"], redacted["isInactive"], redacted["orderCode"]) == (1, False, 77)
    assert CUSTOMER["Name"] == "Maria da Silva"  # the input is left alone


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "PASSWORD",
        "client_secret",
        "Client-Secret",
        "clientSecret",
        "secret",
        "access_token",
        "AccessToken",
        "refresh-token",
        "token",
        "Authorization",
        "api_key",
        "apiKey",
        "X-Api-Key",
        "newPassword",
    ],
)
def test_secrets_are_masked_whatever_their_spelling(key: str) -> None:
    body = {"outer": [{"inner": {key: "s3cr3t-value", "keep": "visible"}}]}

    redacted = redact_json(body)

    assert redacted == {"outer": [{"inner": {key: "***", "keep": "visible"}}]}


def test_a_masked_key_hides_a_whole_object_and_null_stays_null() -> None:
    redacted = redact_json(
        {"address": {"street": "Rua A"}, "cpf": None, "rg": "12", "cnpj": 1234567}
    )

    assert redacted == {"address": "***", "cpf": None, "rg": "***", "cnpj": "***67"}


def test_bare_values_listed_under_personal_lists_are_masked() -> None:
    redacted = redact_json({"emails": ["a@b.c"], "phones": ["119999"], "codes": ["A1"]})

    assert redacted == {"emails": ["***"], "phones": ["***"], "codes": ["A1"]}


@pytest.mark.parametrize(
    "key",
    [
        "cpfList",
        "CNPJ_LIST",
        "cnpjList",
        "customerCpfCnpjList",
        "representativeCpfCnpjList",
        "shippingCompanyCpfCnpj",
        "cpfCnpjList",
    ],
)
def test_every_key_naming_cpfs_or_cnpjs_is_a_document_and_each_listed_one_is_masked(
    key: str,
) -> None:
    redacted = redact_json(
        {"filter": {key: ["52998224725", 11222333000181, None, "12"], "branchCodeList": [1, 2]}}
    )

    assert redacted == {"filter": {key: ["***25", "***81", None, "***"], "branchCodeList": [1, 2]}}
    assert redact_json({key: "52998224725"}) == {key: "***25"}
    assert redact_query([(key, "52998224725")]) == f"{key}=***25"


def test_a_person_search_body_keeps_no_document() -> None:
    body = msgspec.json.encode({"filter": {"cpfList": ["52998224725"]}, "page": 1})

    text = Redactor().body(body, "application/json")

    assert text == '{"filter":{"cpfList":["***25"]},"page":1}'


def test_order_observations_typed_by_shoppers_are_masked() -> None:
    order = {
        "orderId": "o-1",
        "observation": "portão azul",
        "observations": [
            {"observation": "ligar para Maria 11 98765-4321", "sequence": 1},
            "entregar após as 18h",
            {"text": "deixar com o porteiro", "sequence": 2, "printed": None},
        ],
        "items": [{"productCode": 1001, "itemObservation": "presente"}],
    }

    redacted = redact_json(order)

    assert redacted == {
        "orderId": "o-1",
        "observation": "***",
        "observations": [
            {"observation": "***", "sequence": 1},
            "***",
            {"text": "***", "sequence": 2, "printed": None},
        ],
        "items": [{"productCode": 1001, "itemObservation": "***"}],
    }
    assert scrub_text('{"observation": "portão azul", "orderCode": 7') == (
        '{"observation": "***", "orderCode": 7'
    )


def test_token_request_form_is_masked_field_by_field() -> None:
    form = {
        "grant_type": "password",
        "client_id": "cid",
        "client_secret": "csecret",
        "username": "api-user",
        "password": "p@ss word",
        "branch": "1",
    }

    text = Redactor().body(form)

    assert text == (
        "grant_type=password&client_id=***&client_secret=***&username=***&password=***&branch=1"
    )


def test_form_bytes_are_read_as_a_form_by_content_type() -> None:
    body = b"grant_type=refresh_token&refresh_token=ref-123"

    text = Redactor().body(body, "application/x-www-form-urlencoded; charset=utf-8")

    assert text == "grant_type=refresh_token&refresh_token=***"


def test_query_parameters_are_masked_like_a_form() -> None:
    query = redact_query([("page", "2"), ("cpfCnpj", "12345678901"), ("access_token", "t")])

    assert query == "page=2&cpfCnpj=***01&access_token=***"


def test_json_bodies_are_recognised_by_content_type_or_by_their_look() -> None:
    body = msgspec.json.encode({"access_token": "tok", "expires_in": 3600})

    assert Redactor().body(body, "application/json") == '{"access_token":"***","expires_in":3600}'
    assert Redactor().body(body) == '{"access_token":"***","expires_in":3600}'
    assert Redactor().body(None) is None
    assert Redactor().body(b"") is None


def test_long_bodies_are_cut_with_the_count_of_dropped_bytes() -> None:
    body = msgspec.json.encode({"items": [{"code": i, "name": "x" * 20} for i in range(80)]})
    full = msgspec.json.encode(redact_json(msgspec.json.decode(body)))

    assert 1000 < len(body) <= 4000  # redacted whole: the count is exact

    text = Redactor(limit=1000, skip_above=10_000).body(body)

    assert text is not None
    kept, marker = text.split("…")
    assert kept.encode() == full[:1000]
    assert marker == f"[truncated {len(full) - 1000} bytes]"
    assert "xxxx" not in text


def test_very_large_json_is_read_only_as_far_as_it_is_kept() -> None:
    items = [{"code": i, "cpf": f"{i:011d}", "phones": [{"number": "119"}]} for i in range(5000)]
    body = msgspec.json.encode({"count": 5000, "items": items})
    full = msgspec.json.encode(redact_json(msgspec.json.decode(body)))

    text = Redactor(limit=300).body(body)

    assert text is not None
    kept, marker = text.split("…")
    # Masked as the whole body would be, as far as it goes (the prefix is cut before masking).
    assert full.startswith(kept.encode())
    assert 200 < len(kept) <= 300
    assert marker == f"[truncated {len(body) - 300} bytes]"


def test_bodies_over_the_skip_size_are_not_kept() -> None:
    assert Redactor(skip_above=100).body(b"{" + b" " * 200 + b"}") == "[202 bytes, not kept]"


def test_truncation_never_splits_a_character() -> None:
    text = Redactor(limit=4).body("ação ação".encode(), "text/plain")

    assert text == "aç…[truncated 10 bytes]"  # ã's second byte would be the 4th


def test_text_keeps_a_prefix_and_nothing_after_a_password() -> None:
    body = b"<html>error for user=bob password=hunter2 token=abc</html>"

    text = Redactor().body(body, "text/html")

    assert text is not None
    assert "hunter2" not in text
    assert "abc" not in text
    assert text.startswith("<html>error for user=bob ")


def test_text_cut_after_a_colon_style_secret() -> None:
    text = scrub_text("upstream said: Authorization: Bearer eyJhbGci.xyz and more")

    assert "eyJhbGci" not in text
    assert text == "upstream said: …[cut at a secret]"


def test_broken_json_still_has_its_pairs_masked() -> None:
    body = b'{"items":[{"name":"Maria","cpf":"12345678901","phones":[{"number":"1199'

    text = Redactor().body(body, "application/json")

    assert text == '{"items":[{"name":"***","cpf":"***01","phones":[{"number":"***"'


def test_text_without_secrets_is_kept_as_is() -> None:
    assert Redactor().body(b"Service Unavailable", "text/plain") == "Service Unavailable"


@pytest.mark.parametrize(
    "secret",
    [
        "PASSWORD: hunter2",
        "Pa\u017fsword=hunter2",  # long s: matches "s" case-insensitively
        "api-\u212aey: hunter2",  # Kelvin sign: matches "k"
        "AUTHOR\u0130ZATION: hunter2",  # dotted capital I: matches "i"
        "Client-Secret: hunter2",
        "access_Token: hunter2",
    ],
)
def test_the_cheap_pre_checks_never_let_a_secret_mark_through(secret: str) -> None:
    """Text is searched for secret marks only when one of their words is in it, lower-cased;
    letters that case-fold to ASCII ones in a regular expression still send it to the search."""
    text = scrub_text(f"upstream said: {secret} and more")

    assert "hunter2" not in text
    assert text.endswith("…[cut at a secret]")


def test_bearer_credentials_are_masked_in_any_casing() -> None:
    assert scrub_text("got BEARER abc.def; basic QWxhZGRpbjpvcGVu") == "got BEARER ***; basic ***"
