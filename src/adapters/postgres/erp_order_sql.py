"""Statements of the orders follow-up (see :mod:`adapters.postgres.erp_orders`): each takes a
page of orders as parallel arrays."""

from __future__ import annotations

_ORDER_COLUMNS = """
    o.id, o.origin, o.status, o.reservation_open, o.erp_branch_code, o.erp_order_code,
    o.erp_status, o.erp_inserted_at, o.erp_changed_at, o.invoices::text AS invoices,
    o.freight, o.discount, o.total, o.shipping_address::text AS shipping_address
"""

#: Orders by their ERP key, locked (in id order) until the sync's transaction ends.
BY_ERP_KEY = f"""
    SELECT {_ORDER_COLUMNS}
      FROM orders o
      JOIN unnest($1::integer[], $2::bigint[]) AS k(branch, code)
        ON o.erp_branch_code = k.branch AND o.erp_order_code = k.code
     ORDER BY o.id
       FOR UPDATE OF o
"""  # noqa: S608 - constant fragments only

#: Orders by Ponte id, locked (in id order).
BY_ID = f"""
    SELECT {_ORDER_COLUMNS} FROM orders o WHERE o.id = ANY($1::uuid[]) ORDER BY o.id FOR UPDATE
"""  # noqa: S608 - constant fragments only

ITEMS = """
    SELECT order_id, product_code, reference_code, quantity, unit_price, served_quantity,
           cancelled_quantity
      FROM order_items WHERE order_id = ANY($1::uuid[])
"""

#: Customers by ERP code (deleted ones too: their orders stay theirs).
CUSTOMERS = "SELECT erp_code, id FROM customers WHERE erp_code = ANY($1::bigint[])"

#: Customers orders name by an ERP code Ponte does not know: a customer with the order's document
#: and no ERP code yet is linked to the code (its fields stay its own); otherwise a customer of
#: origin ``erp`` is inserted, without the document when another customer has it, with no ERP
#: change stamp (the persons streams complete it). A code meeting a concurrent writer on a unique
#: index is left out (``ON CONFLICT DO NOTHING``). Answers ``erp_code, id, linked``.
REGISTER_CUSTOMERS = """
    WITH v AS (
        SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[])
          AS v(code, kind, name, name_search, document)
    ),
    holders AS (
        SELECT v.code, c.id, c.erp_code FROM v JOIN customers c ON c.document = v.document
    ),
    linked AS (
        UPDATE customers c SET erp_code = h.code
          FROM holders h
         WHERE c.id = h.id AND h.erp_code IS NULL AND c.erp_code IS NULL
        RETURNING c.erp_code, c.id, true AS linked
    ),
    inserted AS (
        INSERT INTO customers (id, kind, name, name_search, document, origin, erp_code,
                               created_at, updated_at)
        SELECT gen_random_uuid(), v.kind, v.name, v.name_search,
               CASE WHEN h.id IS NULL THEN v.document END, 'erp', v.code, now(), now()
          FROM v LEFT JOIN holders h ON h.code = v.code
         WHERE h.id IS NULL OR h.erp_code IS NOT NULL
         ORDER BY v.code
        ON CONFLICT DO NOTHING
        RETURNING erp_code, id, false AS linked
    )
    SELECT * FROM linked UNION ALL SELECT * FROM inserted
"""

INSERT_ORDERS = """
    INSERT INTO orders (id, customer_id, status, freight, discount, total, shipping_address,
                        reservation_open, origin, created_at, updated_at, erp_branch_code,
                        erp_order_code, erp_status, erp_inserted_at, erp_changed_at, invoices)
    SELECT v.id, v.customer_id, v.status, v.freight, v.discount, v.total, v.shipping::jsonb,
           false, 'erp', coalesce(v.created_at, now()), now(), v.branch, v.code, v.erp_status,
           v.inserted_at, v.changed_at, v.invoices::jsonb
      FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::numeric[], $5::numeric[],
                  $6::numeric[], $7::text[], $8::timestamptz[], $9::integer[], $10::bigint[],
                  $11::text[], $12::timestamptz[], $13::timestamptz[], $14::text[])
        AS v(id, customer_id, status, freight, discount, total, shipping, created_at, branch,
             code, erp_status, inserted_at, changed_at, invoices)
"""

# An item's reference falls back to the mirrored SKU's when the ERP line names none.
INSERT_ITEMS = """
    INSERT INTO order_items (order_id, product_code, reference_code, quantity, unit_price,
                             served_quantity, cancelled_quantity)
    SELECT v.order_id, v.code,
           coalesce(v.reference,
                    (SELECT s.reference_code FROM skus s WHERE s.product_code = v.code), ''),
           v.quantity, v.price, v.served, v.cancelled
      FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::integer[], $5::numeric[],
                  $6::integer[], $7::integer[])
        AS v(order_id, code, reference, quantity, price, served, cancelled)
"""

DELETE_ITEMS = "DELETE FROM order_items WHERE order_id = ANY($1::uuid[])"

# Totals and shipping address are the ERP's only on orders that came from it (``own``).
UPDATE_ORDERS = """
    UPDATE orders o
       SET status = v.status, erp_branch_code = v.branch, erp_order_code = v.code,
           erp_status = v.erp_status, erp_inserted_at = v.inserted_at,
           erp_changed_at = v.changed_at, invoices = v.invoices::jsonb,
           freight = CASE WHEN v.own THEN v.freight ELSE o.freight END,
           discount = CASE WHEN v.own THEN v.discount ELSE o.discount END,
           total = CASE WHEN v.own THEN v.total ELSE o.total END,
           shipping_address = CASE WHEN v.own THEN v.shipping::jsonb ELSE o.shipping_address END,
           updated_at = now()
      FROM unnest($1::uuid[], $2::text[], $3::integer[], $4::bigint[], $5::text[],
                  $6::timestamptz[], $7::timestamptz[], $8::text[], $9::boolean[],
                  $10::numeric[], $11::numeric[], $12::numeric[], $13::text[])
        AS v(id, status, branch, code, erp_status, inserted_at, changed_at, invoices, own,
             freight, discount, total, shipping)
     WHERE o.id = v.id
"""

UPDATE_SERVED = """
    UPDATE order_items i SET served_quantity = v.served, cancelled_quantity = v.cancelled
      FROM unnest($1::uuid[], $2::bigint[], $3::integer[], $4::integer[])
        AS v(order_id, code, served, cancelled)
     WHERE i.order_id = v.order_id AND i.product_code = v.code
"""

BALANCES_POSITION = "SELECT position FROM sync_cursors WHERE stream = $1"
