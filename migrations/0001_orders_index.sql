-- The orders index: a projection of each order Durable Object, kept current by the object's
-- alarm, for listing, search and reports. The order object stays the source of truth.
CREATE TABLE orders (
  id TEXT PRIMARY KEY,
  merchant_id TEXT NOT NULL,
  mode TEXT NOT NULL,
  status TEXT NOT NULL,
  amount INTEGER NOT NULL,
  currency TEXT NOT NULL,
  description TEXT NOT NULL,
  metadata TEXT NOT NULL,
  paid_channel TEXT,
  created_at INTEGER NOT NULL,
  paid_at INTEGER,
  updated_at INTEGER NOT NULL,
  version INTEGER NOT NULL
);

CREATE INDEX orders_by_merchant ON orders (merchant_id, mode, created_at DESC, id DESC);
CREATE INDEX orders_by_merchant_status ON orders (merchant_id, mode, status, created_at DESC, id DESC);
