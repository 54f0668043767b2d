import { applyD1Migrations, env } from 'cloudflare:test';

// Each test file gets its own storage; the orders index needs its tables in each.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
