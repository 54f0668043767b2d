-- Each payment a processor holds for an order (its reference for a succeeded attempt), so that an
-- account-wide event naming only the payment (a Stripe dispute) reaches the order's object.
-- Written with the order's index row; rows never change.
CREATE TABLE payment_refs (
  channel TEXT NOT NULL,
  ref TEXT NOT NULL,
  order_id TEXT NOT NULL,
  PRIMARY KEY (channel, ref)
);
