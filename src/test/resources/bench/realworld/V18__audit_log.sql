CREATE TABLE audit_log (
    id         bigserial PRIMARY KEY,
    table_name text        NOT NULL,
    row_id     bigint      NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT now(),
    payload    jsonb       NOT NULL
);
CREATE INDEX audit_log_payload_idx ON audit_log USING gin (payload);
