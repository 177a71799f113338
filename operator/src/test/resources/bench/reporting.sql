-- shop_reporting's dashboard: the ten best-selling products of the last 30 days (reporting.top_products).
SELECT product_id, name, units, revenue FROM reporting.top_products ORDER BY revenue DESC LIMIT 10;
