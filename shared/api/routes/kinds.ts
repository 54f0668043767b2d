/**
 * What most routes of a kind share, spread into each entry so that an entry says only what is
 * its own: merchant reads are GETs for secret and restricted keys, merchant writes are idempotent
 * POSTs for secret keys, both counted per key; the operator's routes take the admin key.
 */
export const MERCHANT_READ = {
  method: 'get',
  auth: ['secret', 'restricted'],
  limits: ['merchant-key'],
  idempotent: false,
} as const;

export const MERCHANT_WRITE = {
  method: 'post',
  auth: ['secret'],
  limits: ['merchant-key'],
  idempotent: true,
} as const;

export const ADMIN_READ = { method: 'get', auth: ['admin'], idempotent: false } as const;

export const ADMIN_WRITE = { method: 'post', auth: ['admin'], idempotent: true } as const;
