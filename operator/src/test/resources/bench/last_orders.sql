-- shop_app shows a customer's last ten orders ("my orders").
\set customer random(1, :customers)
SELECT id, status, total, created_at FROM sales.orders WHERE customer_id = :customer ORDER BY created_at DESC LIMIT 10;
