-- Customers and their addresses. Emails are case-insensitive (citext) and unique.
CREATE TABLE sales.customers (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email       public.citext NOT NULL UNIQUE,
    full_name   text        NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
    phone       text,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sales.addresses (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id  bigint NOT NULL REFERENCES sales.customers (id) ON DELETE CASCADE,
    kind         text   NOT NULL CHECK (kind IN ('shipping', 'billing')),
    line1        text   NOT NULL,
    line2        text,
    city         text   NOT NULL,
    postal_code  text   NOT NULL,
    country      char(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    is_default   boolean NOT NULL DEFAULT false
);
-- FK columns are indexed: deleting a customer and joining addresses both need it.
CREATE INDEX addresses_customer_idx ON sales.addresses (customer_id);
-- At most one default address of each kind per customer.
CREATE UNIQUE INDEX addresses_one_default_idx ON sales.addresses (customer_id, kind) WHERE is_default;
