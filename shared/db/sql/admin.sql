-- The admin portal: clients, advertisers, users, rate card, ingestion runs. Used by shared/admin/.
-- Runs as dash_api in all-clients transactions (the admin sees every client).

-- name: admin_client_exists
SELECT id FROM clients WHERE id = %(client_id)s
