-- Events of every order, copied by each order object next to its index row, for GET /v1/events.
-- The order's outbox stays the source of truth; rows are immutable and written idempotently.
CREATE TABLE events (
  id TEXT PRIMARY KEY,
  merchant_id TEXT NOT NULL,
  mode TEXT NOT NULL,
  order_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  type TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  body TEXT NOT NULL
);

CREATE INDEX events_by_merchant ON events (merchant_id, mode, created_at DESC, order_id DESC, seq DESC);
CREATE INDEX events_by_order ON events (order_id, seq);

-- Merchants, copied by each merchant object, for the platform admin's listing.
CREATE TABLE merchants (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  disabled INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  body TEXT NOT NULL,
  version INTEGER NOT NULL
);

CREATE INDEX merchants_by_created ON merchants (created_at DESC, id DESC);
