ALTER TABLE accounts ADD CONSTRAINT accounts_email_key UNIQUE (email);
INSERT INTO accounts VALUES (1, 'a@example.com'), (2, 'b@example.com');
