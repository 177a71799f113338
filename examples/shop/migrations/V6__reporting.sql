-- Reporting views for dashboards (the reporting role reads these; they read only paid-or-later orders).
CREATE VIEW reporting.daily_revenue AS
SELECT date_trunc('day', o.created_at)::date AS day,
       o.currency,
       count(*)                               AS orders,
       sum(o.total)                           AS revenue
  FROM sales.orders o
 WHERE o.status IN ('paid', 'shipped', 'delivered')
 GROUP BY 1, 2;

CREATE VIEW reporting.top_products AS
SELECT p.id AS product_id,
       p.name,
       sum(i.quantity)                  AS units,
       sum(i.quantity * i.unit_price)   AS revenue
  FROM sales.order_items i
  JOIN sales.orders o    ON o.id = i.order_id AND o.created_at = i.order_created_at
  JOIN catalog.variants v ON v.id = i.variant_id
  JOIN catalog.products p ON p.id = v.product_id
 WHERE o.status IN ('paid', 'shipped', 'delivered')
   AND o.created_at >= now() - interval '30 days'
 GROUP BY p.id, p.name;
