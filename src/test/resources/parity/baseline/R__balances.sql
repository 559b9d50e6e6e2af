CREATE OR REPLACE VIEW balances AS
SELECT a.id, a.email, coalesce(sum(l.amount), 0) AS balance FROM accounts a LEFT JOIN ledger l ON l.account_id = a.id GROUP BY a.id, a.email;
