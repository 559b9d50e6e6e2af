CREATE TABLE mail_templates (name text PRIMARY KEY, body text NOT NULL);
INSERT INTO mail_templates VALUES ('welcome', 'Hello ${first_name}, welcome to ${product}!');
