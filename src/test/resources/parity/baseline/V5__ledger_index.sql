CREATE INDEX ledger_by_account ON ledger (account_id);
