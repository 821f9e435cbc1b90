from __future__ import annotations

import pytest

from adapters.totvs_moda.upstream_errors import UpstreamError, read_error_body


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            b'{"code":"NotFound","message":"PriceCode 9 not found","detailedMessage":null}',
            UpstreamError("NotFound", "PriceCode 9 not found"),
        ),
        (
            b'[{"Code":"RepeatedValue","Message":"product 1 repeated"},'
            b'{"code":"X","message":"two"}]',
            UpstreamError("RepeatedValue", "product 1 repeated; two"),
        ),
        (
            b'{"messages":[{"code":"parameterValueField","message":"disabled","severity":"Error"}]}',
            UpstreamError("parameterValueField", "disabled"),
        ),
        (
            b'{"error":"invalid_grant","error_description":"bad user"}',
            UpstreamError("invalid_grant", "bad user"),
        ),
        (
            b'{"code":"AlreadyExist","message":"exists",'
            b'"detailedMessage":"ProductCode 1 TypeCode 11"}',
            UpstreamError("AlreadyExist", "exists (ProductCode 1 TypeCode 11)"),
        ),
        (b"<html>Bad Request</html>", UpstreamError(None, "<html>Bad Request</html>")),
        (b"", UpstreamError(None, None)),
    ],
)
def test_reads_every_known_error_shape(body: bytes, expected: UpstreamError) -> None:
    assert read_error_body(body) == expected
