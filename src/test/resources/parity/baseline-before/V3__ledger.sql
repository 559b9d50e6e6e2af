CREATE TABLE ledger (id bigint PRIMARY KEY, account_id bigint NOT NULL REFERENCES accounts (id), amount numeric(12, 2) NOT NULL);
