/** Platform administration (minimal here): create and read merchants. */
import { Hono } from 'hono';
import { z } from 'zod';
import { CreateMerchantRequestSchema, HttpUrlSchema, MERCHANT_ID } from '../../shared/schemas.ts';
import { TillError } from '../../shared/errors.ts';
import { adminAuth } from '../auth.ts';
import type { AppEnv, Env } from '../env.ts';
import { readJson } from '../http.ts';
import { newMerchantId } from '../ids.ts';
import { unwrap } from '../result.ts';

function merchantStub(env: Env, id: string) {
  if (!MERCHANT_ID.test(id)) throw new TillError('merchant_not_found', 'No such merchant', 'id');
  return env.MERCHANTS.get(env.MERCHANTS.idFromName(id));
}

const UpdateMerchantSchema = z.strictObject({ webhook_url: HttpUrlSchema.nullable() });

export const adminApi = new Hono<AppEnv>()
  .use(adminAuth())
  .post('/merchants', async (c) => {
    const request = await readJson(c, CreateMerchantRequestSchema);
    const id = newMerchantId();
    return c.json(unwrap(await merchantStub(c.env, id).create(id, request)), 201);
  })
  .get('/merchants/:id', async (c) => c.json(unwrap(await merchantStub(c.env, c.req.param('id')).retrieve())))
  .post('/merchants/:id', async (c) => {
    const { webhook_url } = await readJson(c, UpdateMerchantSchema);
    return c.json(unwrap(await merchantStub(c.env, c.req.param('id')).setWebhookUrl(webhook_url)));
  });
