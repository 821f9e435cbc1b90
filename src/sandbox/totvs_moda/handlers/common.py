"""Request pieces several product searches share."""

from __future__ import annotations

from typing import Any

from sandbox.totvs_moda.binding import as_int, int_list
from sandbox.totvs_moda.catalog import SandboxCatalog
from sandbox.totvs_moda.errors import BadRequest, NotFound


def branch(catalog: SandboxCatalog, value: Any, name: str) -> int:
    """A branch code the API user is released for. :raises NotFound: for any other branch."""
    code = as_int(value, name)
    if code not in catalog.config.branches:
        raise NotFound(f"BranchCode {code} not found")
    return code


def option_blocks(option: dict[str, Any], key: str, name: str) -> list[dict[str, Any]]:
    """A required ``option.<key>`` list of per-branch objects.

    :raises BadRequest: when it is missing, empty or not a list of objects.
    """
    blocks = option.get(key)
    if isinstance(blocks, dict):
        blocks = [blocks]
    if not blocks or not isinstance(blocks, list) or not all(isinstance(b, dict) for b in blocks):
        raise BadRequest(f"option.{name} is required")
    return blocks


def code_list(block: dict[str, Any], key: str, name: str, configured: tuple[int, ...]) -> list[int]:
    """A block's code list; absent means every configured code."""
    codes = int_list(block.get(key), name)
    return codes or list(configured)
