-- Seed reference data the application expects to exist.
INSERT INTO catalog.categories (slug, name) VALUES
    ('apparel', 'Apparel'), ('home', 'Home & Kitchen'), ('books', 'Books'), ('electronics', 'Electronics');
INSERT INTO catalog.categories (parent_id, slug, name)
SELECT id, 'apparel-shoes', 'Shoes' FROM catalog.categories WHERE slug = 'apparel';
INSERT INTO catalog.warehouses (code, country) VALUES ('AMS-1', 'NL'), ('FRA-1', 'DE'), ('DUB-1', 'IE');
