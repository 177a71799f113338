-- shop_app places an order with two items at their current EUR price, in one transaction.
\set customer random(1, :customers)
\set v1 random(1, :variants)
\set v2 random(1, :variants)
BEGIN;
INSERT INTO sales.orders (customer_id, status, currency, total) VALUES (:customer, 'pending', 'EUR', 0) RETURNING id AS order_id, created_at AS order_at \gset
INSERT INTO sales.order_items (order_id, order_created_at, line_no, variant_id, quantity, unit_price)
SELECT :order_id, :order_at, 1, p.variant_id, 1, p.amount FROM catalog.prices p WHERE p.variant_id = :v1 AND p.currency = 'EUR' ORDER BY p.valid_from DESC LIMIT 1;
INSERT INTO sales.order_items (order_id, order_created_at, line_no, variant_id, quantity, unit_price)
SELECT :order_id, :order_at, 2, p.variant_id, 2, p.amount FROM catalog.prices p WHERE p.variant_id = :v2 AND p.currency = 'EUR' ORDER BY p.valid_from DESC LIMIT 1;
UPDATE sales.orders SET total = (SELECT coalesce(sum(quantity * unit_price), 0) FROM sales.order_items WHERE order_id = :order_id AND order_created_at = :order_at)
 WHERE id = :order_id AND created_at = :order_at;
END;
