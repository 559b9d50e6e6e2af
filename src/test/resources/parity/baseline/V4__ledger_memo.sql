ALTER TABLE ledger ADD COLUMN memo text;
INSERT INTO ledger VALUES (1, 1, 12.50, 'opening');
