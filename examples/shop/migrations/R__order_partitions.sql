-- Keeps monthly order partitions from ${first_month} until ${months_ahead} months ahead of today.
-- Repeatable: Flyway runs it again whenever its text (or a placeholder) changes, e.g. at each release.
SELECT sales.create_order_partitions(
    date '${first_month}',
    (SELECT (12 * (extract(year FROM ahead.t) - extract(year FROM date '${first_month}'))
             + extract(month FROM ahead.t) - extract(month FROM date '${first_month}'))::integer + 1
       FROM (SELECT now() + interval '${months_ahead} months' AS t) AS ahead));
