-- Catalog: categories (a tree), products, their sellable variants, and prices over time.
CREATE TABLE catalog.categories (
    id         integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    parent_id  integer REFERENCES catalog.categories (id),
    slug       text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9-]+$'),
    name       text NOT NULL
);
CREATE INDEX categories_parent_idx ON catalog.categories (parent_id);

CREATE TABLE catalog.products (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug         text   NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9-]+$'),
    name         text   NOT NULL,
    description  text,
    category_id  integer NOT NULL REFERENCES catalog.categories (id),
    active       boolean NOT NULL DEFAULT true,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX products_category_idx ON catalog.products (category_id) WHERE active;
-- Search as you type on product names.
CREATE INDEX products_name_trgm_idx ON catalog.products USING gin (name public.gin_trgm_ops);

CREATE TABLE catalog.variants (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id  bigint NOT NULL REFERENCES catalog.products (id),
    sku         text   NOT NULL UNIQUE,
    attributes  jsonb  NOT NULL DEFAULT '{}'::jsonb,
    weight_g    integer CHECK (weight_g > 0)
);
-- The product page loads every variant of one product.
CREATE INDEX variants_product_idx ON catalog.variants (product_id);

CREATE TABLE catalog.prices (
    variant_id  bigint      NOT NULL REFERENCES catalog.variants (id),
    currency    char(3)     NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    amount      numeric(12,2) NOT NULL CHECK (amount >= 0),
    valid_from  timestamptz NOT NULL DEFAULT now(),
    valid_to    timestamptz,
    PRIMARY KEY (variant_id, currency, valid_from),
    CHECK (valid_to IS NULL OR valid_to > valid_from)
);
