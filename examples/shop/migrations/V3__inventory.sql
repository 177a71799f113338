-- Stock per variant and warehouse. Reserved units never exceed units on hand.
CREATE TABLE catalog.warehouses (
    id       smallint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code     text NOT NULL UNIQUE,
    country  char(2) NOT NULL
);

CREATE TABLE catalog.inventory (
    variant_id    bigint   NOT NULL REFERENCES catalog.variants (id),
    warehouse_id  smallint NOT NULL REFERENCES catalog.warehouses (id),
    on_hand       integer  NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
    reserved      integer  NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (variant_id, warehouse_id),
    CHECK (reserved <= on_hand)
);
CREATE INDEX inventory_warehouse_idx ON catalog.inventory (warehouse_id);
