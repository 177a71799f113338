-- Orders, partitioned by month on created_at: the hot month stays small in memory, old months can be
-- detached and archived, and date-range queries prune to the months they touch.
CREATE TABLE sales.orders (
    id           bigint GENERATED ALWAYS AS IDENTITY,
    customer_id  bigint NOT NULL REFERENCES sales.customers (id),
    status       text   NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded')),
    currency     char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    total        numeric(12,2) NOT NULL CHECK (total >= 0),
    created_at   timestamptz NOT NULL DEFAULT now(),
    -- The partition key must be part of every unique constraint of a partitioned table.
    PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);

-- Customer order history ("my orders", newest first).
CREATE INDEX orders_customer_created_idx ON sales.orders (customer_id, created_at DESC);
-- Back office: orders by status within a date range.
CREATE INDEX orders_status_created_idx ON sales.orders (status, created_at);

-- Rows outside every monthly partition land here instead of failing the INSERT.
CREATE TABLE sales.orders_default PARTITION OF sales.orders DEFAULT;

-- Creates the monthly partitions from `from_month` for `months` months; idempotent. Run it ahead of time
-- (the repeatable migration below does at each deploy; a monthly job can too), so INSERTs never hit the default.
CREATE FUNCTION sales.create_order_partitions(from_month date, months integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    m date := date_trunc('month', from_month)::date;
    created integer := 0;
    part text;
BEGIN
    FOR i IN 0 .. months - 1 LOOP
        part := format('orders_%s', to_char(m + make_interval(months => i), 'YYYY_MM'));
        IF to_regclass(format('sales.%I', part)) IS NULL THEN
            EXECUTE format('CREATE TABLE sales.%I PARTITION OF sales.orders FOR VALUES FROM (%L) TO (%L)',
                           part, m + make_interval(months => i), m + make_interval(months => i + 1));
            created := created + 1;
        END IF;
    END LOOP;
    RETURN created;
END $$;

CREATE TABLE sales.order_items (
    order_id          bigint      NOT NULL,
    order_created_at  timestamptz NOT NULL,
    line_no           smallint    NOT NULL CHECK (line_no > 0),
    variant_id        bigint      NOT NULL REFERENCES catalog.variants (id),
    quantity          integer     NOT NULL CHECK (quantity > 0),
    unit_price        numeric(12,2) NOT NULL CHECK (unit_price >= 0),
    PRIMARY KEY (order_id, line_no),
    FOREIGN KEY (order_id, order_created_at) REFERENCES sales.orders (id, created_at)
);
CREATE INDEX order_items_order_idx ON sales.order_items (order_id, order_created_at);
-- Top products and "who bought this variant".
CREATE INDEX order_items_variant_idx ON sales.order_items (variant_id);

CREATE TABLE sales.payments (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id          bigint      NOT NULL,
    order_created_at  timestamptz NOT NULL,
    provider          text        NOT NULL,
    provider_ref      text        NOT NULL,
    amount            numeric(12,2) NOT NULL CHECK (amount > 0),
    status            text NOT NULL CHECK (status IN ('authorized', 'captured', 'failed', 'refunded')),
    created_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (provider, provider_ref),
    FOREIGN KEY (order_id, order_created_at) REFERENCES sales.orders (id, created_at)
);
CREATE INDEX payments_order_idx ON sales.payments (order_id, order_created_at);

CREATE TABLE sales.shipments (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id          bigint      NOT NULL,
    order_created_at  timestamptz NOT NULL,
    warehouse_id      smallint    NOT NULL REFERENCES catalog.warehouses (id),
    carrier           text        NOT NULL,
    tracking_no       text,
    shipped_at        timestamptz,
    delivered_at      timestamptz,
    FOREIGN KEY (order_id, order_created_at) REFERENCES sales.orders (id, created_at),
    CHECK (delivered_at IS NULL OR shipped_at IS NOT NULL)
);
CREATE INDEX shipments_order_idx ON sales.shipments (order_id, order_created_at);
