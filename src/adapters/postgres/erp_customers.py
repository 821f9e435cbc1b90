"""Customers from the ERP: staged by COPY, then matched and applied set-based in one pass.

Each staged person (the latest change per ERP code) is matched to a customer by ERP code, else
by document, and gets one action:

- ``update``: an ERP-origin customer; every field follows the ERP;
- ``touch``: a Ponte customer already linked; only the ERP's change stamp is recorded (the fields
  are Ponte's);
- ``keep``: a customer deleted in Ponte (never revived), or a change older than the one applied;
- ``link``: a Ponte customer with that document and no ERP code yet gets the ERP code (its
  fields stay Ponte's);
- ``insert``: a new customer of origin ``erp``;
- ``taken`` / ``twin`` (rejected): the document is another ERP code's customer, or another person
  of the same run has it.

E-mails and documents are unique among customers, so an e-mail another customer holds (or that
two people of one run claim) is stored as none, and an ERP-origin customer whose new document is
taken keeps its old one. Decisions read one snapshot, so the apply never trips a unique index.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from adapters.postgres.addresses import address_json
from adapters.postgres.folding import fold
from adapters.postgres.raw import RawConnection
from adapters.postgres.statistics import refresh_statistics
from application.sync.ports import MergeResult
from domain.erp_customers import ErpCustomer
from domain.sync import Rejection

STAGE = "stage_erp_customers"
COLUMNS = (
    "erp_code",
    "kind",
    "name",
    "name_search",
    "document",
    "email",
    "phones",
    "addresses",
    "birth_date",
    "changed_at",
)
CREATE_STAGE = f"""
    CREATE TEMP TABLE {STAGE} (
        seq bigint GENERATED ALWAYS AS IDENTITY, erp_code bigint NOT NULL, kind text NOT NULL,
        name text NOT NULL, name_search text NOT NULL, document text, email text,
        phones jsonb NOT NULL, addresses jsonb NOT NULL, birth_date date, changed_at timestamptz
    ) ON COMMIT DROP
"""
_PLAN = "erp_customer_plan"
_REJECTED = ("taken", "twin")

#: The two person streams write one table: their merges take turns (decisions read a snapshot).
MERGE_LOCK_KEY = int.from_bytes(
    hashlib.blake2b(b"ponte:customers:erp-merge", digest_size=8).digest(), "big", signed=True
)

_CREATE_PLAN = f"""
    CREATE TEMP TABLE {_PLAN} ON COMMIT DROP AS
    WITH s AS (
        SELECT DISTINCT ON (erp_code) {", ".join(COLUMNS)} FROM {STAGE}
         ORDER BY erp_code, changed_at DESC NULLS LAST, seq DESC
    ),
    matched AS (
        SELECT s.*, c.id AS code_id, c.origin AS code_origin, c.deleted_at AS code_deleted_at,
               c.erp_changed_at AS code_changed_at, d.id AS doc_id, d.erp_code AS doc_erp_code
          FROM s
          LEFT JOIN customers c ON c.erp_code = s.erp_code
          LEFT JOIN customers d ON c.id IS NULL AND d.document = s.document
    ),
    acted AS (
        SELECT m.*, coalesce(m.code_id, m.doc_id) AS target_id,
               CASE
                 WHEN m.code_id IS NOT NULL THEN
                   CASE WHEN m.code_deleted_at IS NOT NULL OR m.code_changed_at > m.changed_at
                          THEN 'keep'
                        WHEN m.code_origin = 'erp' THEN 'update'
                        ELSE 'touch' END
                 WHEN m.doc_id IS NULL THEN 'insert'
                 WHEN m.doc_erp_code IS NULL THEN 'link'
                 ELSE 'taken'
               END AS action
          FROM matched m
    ),
    ranked AS (
        SELECT a.*, t.document AS current_document,
               count(*) OVER (PARTITION BY a.document) AS document_claims,
               row_number() OVER (PARTITION BY a.document, a.action ORDER BY a.erp_code)
                 AS document_rank,
               row_number() OVER (
                 PARTITION BY a.email, a.action IN ('insert', 'update')
                 ORDER BY t.email IS NOT DISTINCT FROM a.email DESC, a.erp_code
               ) AS email_rank
          FROM acted a LEFT JOIN customers t ON t.id = a.target_id
    )
    SELECT r.erp_code, r.kind, r.name, r.name_search, r.phones, r.addresses, r.birth_date,
           r.changed_at, r.target_id, r.doc_erp_code, r.email,
           CASE WHEN r.action IN ('insert', 'link') AND r.document IS NOT NULL
                     AND r.document_rank > 1 THEN 'twin'
                ELSE r.action END AS action,
           CASE WHEN r.action = 'insert' THEN r.document
                WHEN r.document IS NULL OR r.document_claims > 1 THEN r.current_document
                WHEN EXISTS (SELECT FROM customers o
                              WHERE o.document = r.document AND o.id <> r.target_id)
                  THEN r.current_document
                ELSE r.document END AS document,
           CASE WHEN r.email IS NULL OR r.email_rank > 1 THEN NULL
                WHEN EXISTS (SELECT FROM customers o
                              WHERE o.email = r.email AND o.id IS DISTINCT FROM r.target_id)
                  THEN NULL
                ELSE r.email END AS stored_email
      FROM ranked r
"""  # noqa: S608 - constant fragments only

_APPLY = f"""
    WITH inserted AS (
        INSERT INTO customers (id, kind, name, name_search, document, email, phones, addresses,
                               birth_date, origin, erp_code, erp_changed_at, created_at,
                               updated_at)
        SELECT gen_random_uuid(), kind, name, name_search, document, stored_email, phones,
               addresses, birth_date, 'erp', erp_code, changed_at, now(), now()
          FROM {_PLAN} WHERE action = 'insert' ORDER BY erp_code
        RETURNING 1
    ),
    updated AS (
        UPDATE customers c
           SET kind = p.kind, name = p.name, name_search = p.name_search,
               document = p.document, email = p.stored_email, phones = p.phones,
               addresses = p.addresses, birth_date = p.birth_date,
               erp_changed_at = p.changed_at, updated_at = now()
          FROM {_PLAN} p
         WHERE p.action = 'update' AND c.id = p.target_id
           AND (c.kind, c.name, c.document, c.email, c.phones, c.addresses, c.birth_date,
                c.erp_changed_at)
               IS DISTINCT FROM (p.kind, p.name, p.document, p.stored_email, p.phones,
                                 p.addresses, p.birth_date, p.changed_at)
        RETURNING 1
    ),
    touched AS (
        UPDATE customers c SET erp_changed_at = p.changed_at
          FROM {_PLAN} p
         WHERE p.action = 'touch' AND c.id = p.target_id
           AND c.erp_changed_at IS DISTINCT FROM p.changed_at
        RETURNING 1
    ),
    linked AS (
        UPDATE customers c SET erp_code = p.erp_code, erp_changed_at = p.changed_at
          FROM {_PLAN} p
         WHERE p.action = 'link' AND c.id = p.target_id AND c.erp_code IS NULL
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM {_PLAN}) AS staged,
           (SELECT count(*) FROM inserted) AS inserted,
           (SELECT count(*) FROM updated) + (SELECT count(*) FROM touched)
             + (SELECT count(*) FROM linked) AS updated
"""  # noqa: S608 - constant fragments only

_REFUSED = f"""
    SELECT erp_code, action, doc_erp_code FROM {_PLAN}
     WHERE action IN ('taken', 'twin')
        OR (action IN ('insert', 'update') AND email IS NOT NULL AND stored_email IS NULL)
     ORDER BY erp_code
"""  # noqa: S608 - constant fragments only


def customer_rows(records: Iterable[ErpCustomer]) -> list[tuple[Any, ...]]:
    """COPY rows of :data:`COLUMNS`; phones and addresses as the customers table stores them."""
    return [
        (
            r.erp_code,
            r.kind.value,
            r.name,
            fold(r.name),
            r.document.digits if r.document else None,
            r.email.address if r.email else None,
            json.dumps([{"type": p.type.value, "number": p.number} for p in r.phones]),
            json.dumps([address_json(a) for a in r.addresses]),
            r.birth_date,
            r.changed_at,
        )
        for r in records
    ]


async def merge_customers(raw: RawConnection) -> MergeResult:
    """Apply the staged persons (see the module) and empty the stage.

    ``rejected``: persons whose document belongs to someone else; ``notices``: persons stored
    without their e-mail because another customer has it.
    """
    await raw.execute("SELECT pg_advisory_xact_lock($1)", MERGE_LOCK_KEY)
    await raw.execute(f"ANALYZE {STAGE} (erp_code, document, email)")
    await raw.execute(f"DROP TABLE IF EXISTS {_PLAN}")
    await raw.execute(_CREATE_PLAN)
    counts = await raw.fetchrow(_APPLY)
    assert counts is not None  # an aggregate always answers one row
    refused = await raw.fetch(_REFUSED)
    await raw.execute(f"DROP TABLE {_PLAN}")
    await raw.execute(f"TRUNCATE {STAGE}")
    rejected = tuple(_rejection(row) for row in refused if row["action"] in _REJECTED)
    notices = tuple(
        Rejection(str(row["erp_code"]), "stored without its e-mail: another customer has it")
        for row in refused
        if row["action"] not in _REJECTED
    )
    changed = counts["inserted"] + counts["updated"]
    await refresh_statistics(raw, ("customers",), changed=changed)
    unchanged = counts["staged"] - changed - len(rejected)
    return MergeResult(counts["inserted"], counts["updated"], unchanged, rejected, notices)


def _rejection(row: Any) -> Rejection:
    if row["action"] == "taken":
        reason = f"its document belongs to the customer of ERP code {row['doc_erp_code']}"
    else:
        reason = "another ERP person of this run has the same document"
    return Rejection(str(row["erp_code"]), reason)
