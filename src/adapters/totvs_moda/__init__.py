"""TOTVS Moda (REST v2) adapter: the catalog sync's source."""

from adapters.totvs_moda.retry import RetryPolicy
from adapters.totvs_moda.settings import PageSizes, TotvsModaSettings
from adapters.totvs_moda.source import TotvsModaCatalogSource

__all__ = ["PageSizes", "RetryPolicy", "TotvsModaCatalogSource", "TotvsModaSettings"]
