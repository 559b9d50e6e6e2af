CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped');
CREATE TYPE money_amount AS (amount numeric(12, 2), currency char(3));
