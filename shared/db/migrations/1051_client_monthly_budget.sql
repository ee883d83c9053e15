-- A client's optional monthly media budget (SPEC section 12, month-end pacing): an amount in
-- the client's currency, to the cent (the API's money convention), set by the admin. NULL is
-- "no budget"; existing clients keep their rows and have none.
ALTER TABLE clients
    ADD COLUMN monthly_budget numeric(16, 2) CHECK (monthly_budget >= 0);
