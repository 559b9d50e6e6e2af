CREATE TABLE templates (name text PRIMARY KEY, body text NOT NULL, owner text NOT NULL);
INSERT INTO templates VALUES ('shell', 'echo ${HOME}', '#[AppRole]');
INSERT INTO templates VALUES ('greeting', '#[Greeting], world', '#[AppRole]');
