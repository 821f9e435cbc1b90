"""TOTVS Moda (REST v2) adapter: the catalog sync's source and the outbox's ERP writer."""

from adapters.totvs_moda.retry import RetryPolicy
from adapters.totvs_moda.settings import (
    AddressTypeCode,
    AddressTypeCodes,
    PageSizes,
    PhoneTypeCodes,
    TotvsModaOrderDefaults,
    TotvsModaSettings,
)
from adapters.totvs_moda.source import TotvsModaCatalogSource
from adapters.totvs_moda.writer import TotvsModaErpWriter

__all__ = [
    "AddressTypeCode",
    "AddressTypeCodes",
    "PageSizes",
    "PhoneTypeCodes",
    "RetryPolicy",
    "TotvsModaCatalogSource",
    "TotvsModaErpWriter",
    "TotvsModaOrderDefaults",
    "TotvsModaSettings",
]
