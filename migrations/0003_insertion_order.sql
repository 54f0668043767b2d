-- Lists page by the order rows and events were copied into the index (an ever-growing position),
-- not by creation time with random ids as tie-breakers: a row that arrives late, or in the same
-- second as another, still lands after every position a client has already seen.
CREATE TABLE orders_by_position (
  position INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
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
INSERT INTO orders_by_position (id, merchant_id, mode, status, amount, currency, description, metadata, paid_channel,
    created_at, paid_at, updated_at, version)
  SELECT id, merchant_id, mode, status, amount, currency, description, metadata, paid_channel,
    created_at, paid_at, updated_at, version
  FROM orders ORDER BY created_at, id;
DROP TABLE orders;
ALTER TABLE orders_by_position RENAME TO orders;
CREATE INDEX orders_by_merchant ON orders (merchant_id, mode, position);
CREATE INDEX orders_by_merchant_status ON orders (merchant_id, mode, status, position);

CREATE TABLE events_by_position (
  position INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  merchant_id TEXT NOT NULL,
  mode TEXT NOT NULL,
  order_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  type TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  body TEXT NOT NULL
);
INSERT INTO events_by_position (id, merchant_id, mode, order_id, seq, type, created_at, body)
  SELECT id, merchant_id, mode, order_id, seq, type, created_at, body FROM events ORDER BY created_at, order_id, seq;
DROP TABLE events;
ALTER TABLE events_by_position RENAME TO events;
CREATE INDEX events_by_merchant ON events (merchant_id, mode, position);
CREATE INDEX events_by_order ON events (order_id, seq);

CREATE TABLE merchants_by_position (
  position INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  disabled INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  body TEXT NOT NULL,
  version INTEGER NOT NULL
);
INSERT INTO merchants_by_position (id, name, disabled, created_at, body, version)
  SELECT id, name, disabled, created_at, body, version FROM merchants ORDER BY created_at, id;
DROP TABLE merchants;
ALTER TABLE merchants_by_position RENAME TO merchants;
