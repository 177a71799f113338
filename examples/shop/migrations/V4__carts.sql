-- Shopping carts: anonymous (session) or of a customer.
CREATE TABLE sales.carts (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    customer_id  bigint REFERENCES sales.customers (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX carts_customer_idx ON sales.carts (customer_id);
-- Abandoned-cart cleanup scans by age.
CREATE INDEX carts_updated_idx ON sales.carts (updated_at);

CREATE TABLE sales.cart_items (
    cart_id     uuid   NOT NULL REFERENCES sales.carts (id) ON DELETE CASCADE,
    variant_id  bigint NOT NULL REFERENCES catalog.variants (id),
    quantity    integer NOT NULL CHECK (quantity BETWEEN 1 AND 999),
    PRIMARY KEY (cart_id, variant_id)
);
CREATE INDEX cart_items_variant_idx ON sales.cart_items (variant_id);
