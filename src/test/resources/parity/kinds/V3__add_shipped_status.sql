ALTER TYPE order_status ADD VALUE 'shipped' AFTER 'paid';
ALTER TYPE order_status ADD VALUE 'cancelled';
