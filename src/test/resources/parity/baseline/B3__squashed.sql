-- The project squashed V1..V3 into this baseline: a new database starts here.
CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL);
ALTER TABLE accounts ADD CONSTRAINT accounts_email_key UNIQUE (email);
INSERT INTO accounts VALUES (1, 'a@example.com'), (2, 'b@example.com');
CREATE TABLE ledger (id bigint PRIMARY KEY, account_id bigint NOT NULL REFERENCES accounts (id), amount numeric(12, 2) NOT NULL);
