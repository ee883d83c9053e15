-- Every client has a currency (ISO 4217, SPEC section 8); amounts are in it, never converted.
-- Existing clients keep their numbers and read as USD, the default. The application checks
-- the code against the ISO 4217 list; the database keeps the shape.
ALTER TABLE clients
    ADD COLUMN currency char(3) NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$');
