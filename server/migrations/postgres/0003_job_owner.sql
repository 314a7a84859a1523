-- The API key (its name, or a hash of it; never the key) that submitted a job, so that only that
-- key can cancel or replace it. NULL: submitted while the server required no keys.
ALTER TABLE jobs ADD COLUMN owner TEXT;
