/** Webhook endpoints through the API and the SDK: per mode, the primary one, bad input. */
import { env, runInDurableObject, SELF } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type FetchLike, Till, TillApiError } from '../../sdk/index.ts';
import type { ErrorEnvelope } from '../../shared/errors.ts';
import type { List, WebhookEndpoint, WebhookEndpointWithSecret } from '../../shared/schemas.ts';
import { Vault } from '../../worker/base/vault.ts';
import type { MerchantObject } from '../../worker/merchants/merchant-object.ts';
import { call, card, createMerchant, newOrder, ORIGIN, pay } from './helpers.ts';
import { createEndpoint, HOOKS, receivers, runUntil, startClock } from './webhook-helpers.ts';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const list = async (key: string) => (await call<List<WebhookEndpoint>>('/v1/webhook_endpoints', { key })).body.data;
const withoutSecret = ({ secret: _secret, ...endpoint }: WebhookEndpointWithSecret): WebhookEndpoint => endpoint;

describe('webhook endpoints', () => {
  it(
    "creates, lists, updates, rolls and deletes the endpoints of the key's mode, " + 'showing a secret only when made',
    async () => {
      const { secret_key: key } = await createMerchant();
      const created = await call<WebhookEndpointWithSecret>('/v1/webhook_endpoints', {
        key,
        body: { url: 'https://shop.test/hooks/a', description: 'Fulfilment' },
        headers: { 'idempotency-key': 'endpoint-a' },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        object: 'webhook_endpoint',
        mode: 'test',
        primary: false,
        url: 'https://shop.test/hooks/a',
        description: 'Fulfilment',
        enabled_events: ['*'],
        status: 'enabled',
        disabled_reason: null,
        failing_since: null,
        previous_secret_expires_at: null,
      });
      expect(created.body.id).toMatch(/^we_[0-9A-Za-z]{24}$/);
      expect(created.body.secret).toMatch(/^whsec_/);
      const replay = await call<WebhookEndpointWithSecret>('/v1/webhook_endpoints', {
        key,
        body: { url: 'https://shop.test/hooks/a', description: 'Fulfilment' },
        headers: { 'idempotency-key': 'endpoint-a' },
      });
      expect([replay.body.id, replay.headers.get('idempotent-replayed')]).toEqual([created.body.id, 'true']);

      const endpoint = withoutSecret(created.body);
      expect(await list(key)).toEqual([endpoint]);
      expect((await call(`/v1/webhook_endpoints/${endpoint.id}`, { key })).body).toEqual(endpoint);

      const update = {
        url: 'https://shop.test/hooks/b',
        description: null,
        enabled_events: ['order.paid', 'refund.succeeded'],
      };
      expect((await call(`/v1/webhook_endpoints/${endpoint.id}`, { key, body: update })).body).toEqual({
        ...endpoint,
        ...update,
      });
      const off = await call<WebhookEndpoint>(`/v1/webhook_endpoints/${endpoint.id}`, {
        key,
        body: { status: 'disabled' },
      });
      expect(off.body).toMatchObject({
        status: 'disabled',
        disabled_reason: expect.stringMatching(/^Disabled by you at \d{4}-/),
      });
      const on = await call<WebhookEndpoint>(`/v1/webhook_endpoints/${endpoint.id}`, {
        key,
        body: { status: 'enabled' },
      });
      expect(on.body).toMatchObject({ status: 'enabled', disabled_reason: null });

      const rolled = await call<WebhookEndpointWithSecret>(`/v1/webhook_endpoints/${endpoint.id}/roll_secret`, {
        key,
        method: 'POST',
      });
      expect(rolled.status).toBe(200);
      expect(rolled.body.secret).toMatch(/^whsec_/);
      expect(rolled.body.secret).not.toBe(created.body.secret);
      expect(rolled.body.previous_secret_expires_at).toBeNull();

      expect((await call(`/v1/webhook_endpoints/${endpoint.id}`, { key, method: 'DELETE' })).body).toEqual({
        id: endpoint.id,
        object: 'webhook_endpoint',
        deleted: true,
      });
      for (const method of ['GET', 'DELETE']) {
        const gone = await call<ErrorEnvelope>(`/v1/webhook_endpoints/${endpoint.id}`, { key, method });
        expect([gone.status, gone.body.error.code]).toEqual([404, 'webhook_endpoint_not_found']);
      }
      expect(await list(key)).toEqual([]);
    },
  );

  it(
    'shows the webhook_url setting as the primary endpoint of both modes, ' + 'changed only as a shared setting',
    async () => {
      const merchant = await createMerchant('https://shop.test/primary');
      await call(`/v1/admin/merchants/${merchant.id}`, { key: env.TILL_ADMIN_KEY, body: { live_enabled: true } });
      const [primary] = await list(merchant.secret_key);
      expect(primary).toMatchObject({
        primary: true,
        mode: null,
        url: 'https://shop.test/primary',
        enabled_events: ['*'],
        status: 'enabled',
      });
      expect(await list(merchant.live_secret_key)).toEqual([primary]);

      const path = `/v1/webhook_endpoints/${primary!.id}`;
      const refusals: Array<[string, Parameters<typeof call>[1], number, string, string | undefined]> = [
        [
          path,
          { key: merchant.live_secret_key, body: { url: 'https://shop.test/other' } },
          400,
          'invalid_parameter',
          'url',
        ],
        [path, { key: merchant.live_secret_key, method: 'DELETE' }, 400, 'invalid_parameter', 'id'],
        // Live mode is on: a test key may not switch off what live events also go to.
        [path, { key: merchant.secret_key, body: { status: 'disabled' } }, 403, 'forbidden', undefined],
        [`${path}/roll_secret`, { key: merchant.secret_key, method: 'POST' }, 403, 'forbidden', undefined],
      ];
      for (const [url, options, status, code, param] of refusals) {
        const answer = await call<ErrorEnvelope>(url, options);
        expect([answer.status, answer.body.error.code, answer.body.error.param]).toEqual([status, code, param]);
      }
      expect(await list(merchant.secret_key)).toEqual([primary]);

      const off = await call<WebhookEndpoint>(path, { key: merchant.live_secret_key, body: { status: 'disabled' } });
      expect(off.body).toMatchObject({ id: primary!.id, status: 'disabled' });
      // A new webhook URL starts afresh.
      await call('/v1/merchant', {
        key: merchant.live_secret_key,
        body: { webhook_url: 'https://shop.test/primary-2' },
      });
      expect(await list(merchant.secret_key)).toEqual([{ ...primary, url: 'https://shop.test/primary-2' }]);

      const rolled = await call<WebhookEndpointWithSecret>(`${path}/roll_secret`, {
        key: merchant.live_secret_key,
        body: { expires_in: 600 },
      });
      expect(rolled.status).toBe(200);
      const target = await runInDurableObject(
        env.MERCHANTS.get(env.MERCHANTS.idFromName(merchant.id)),
        (instance: MerchantObject) => instance.webhookTarget(),
      );
      expect(target).toEqual({ url: 'https://shop.test/primary-2', secret: rolled.body.secret });

      await call('/v1/merchant', { key: merchant.live_secret_key, body: { webhook_url: null } });
      expect(await list(merchant.secret_key)).toEqual([]);
    },
  );

  it('refuses bad input with the error envelope and changes nothing', async () => {
    const merchant = await createMerchant();
    await call(`/v1/admin/merchants/${merchant.id}`, { key: env.TILL_ADMIN_KEY, body: { live_enabled: true } });
    const key = merchant.secret_key;
    const kept = await createEndpoint(key, { url: 'https://shop.test/kept' });
    const before = await list(key);
    const at = `/v1/webhook_endpoints/${kept.id}`;
    const cases: Array<[string, Parameters<typeof call>[1], number, string, string | undefined]> = [
      ['/v1/webhook_endpoints', { key, body: {} }, 400, 'missing_parameter', 'url'],
      ['/v1/webhook_endpoints', { key, body: { url: 'ftp://shop.test/x' } }, 400, 'invalid_parameter', 'url'],
      [
        '/v1/webhook_endpoints',
        { key, body: { url: 'https://shop.test/x', enabled_events: ['order.shipped'] } },
        400,
        'invalid_parameter',
        'enabled_events.0',
      ],
      [
        '/v1/webhook_endpoints',
        { key, body: { url: 'https://shop.test/x', enabled_events: ['*', 'order.paid'] } },
        400,
        'invalid_parameter',
        'enabled_events',
      ],
      [
        '/v1/webhook_endpoints',
        { key, body: { url: 'https://shop.test/x', enabled_events: [] } },
        400,
        'invalid_parameter',
        'enabled_events',
      ],
      [
        '/v1/webhook_endpoints',
        { key, body: { url: 'https://shop.test/x', secret: 'whsec_mine' } },
        400,
        'unknown_parameter',
        'secret',
      ],
      [
        '/v1/webhook_endpoints',
        { key, rawBody: '{"url":', headers: { 'content-type': 'application/json' } },
        400,
        'invalid_json',
        undefined,
      ],
      [
        '/v1/webhook_endpoints',
        { key: merchant.live_secret_key, body: { url: 'http://shop.test/x' } },
        400,
        'invalid_parameter',
        'url',
      ],
      [at, { key, body: { status: 'paused' } }, 400, 'invalid_parameter', 'status'],
      [at, { key, body: { mode: 'live' } }, 400, 'unknown_parameter', 'mode'],
      [`${at}/roll_secret`, { key, body: { expires_in: 8 * 24 * 3600 } }, 400, 'invalid_parameter', 'expires_in'],
      ['/v1/webhook_endpoints/we_nope', { key }, 404, 'webhook_endpoint_not_found', 'id'],
      [at, { key: merchant.live_secret_key }, 404, 'webhook_endpoint_not_found', 'id'],
      [at, { key: merchant.live_secret_key, method: 'DELETE' }, 404, 'webhook_endpoint_not_found', 'id'],
    ];
    for (const [path, options, status, code, param] of cases) {
      const answer = await call<ErrorEnvelope>(path, options);
      expect([path, answer.status, answer.body.error?.code, answer.body.error?.param]).toEqual([
        path,
        status,
        code,
        param,
      ]);
      expect(answer.body.error.request_id).toMatch(/^req_/);
    }
    expect(await list(key)).toEqual(before);

    for (let i = 1; i < 16; i++) await createEndpoint(key, { url: `https://shop.test/${i}` });
    const seventeenth = await call<ErrorEnvelope>('/v1/webhook_endpoints', {
      key,
      body: { url: 'https://shop.test/17' },
    });
    expect([seventeenth.status, seventeenth.body.error.code]).toEqual([400, 'too_many_webhook_endpoints']);
    expect(await list(key)).toHaveLength(16);
    // The limit is per mode.
    expect(
      (await call('/v1/webhook_endpoints', { key: merchant.live_secret_key, body: { url: 'https://shop.test/live' } }))
        .status,
    ).toBe(201);
  });

  it('keep their secrets sealed, and move them to a new master key with the re-encrypt command', async () => {
    const merchant = await createMerchant();
    const endpoint = await createEndpoint(merchant.secret_key, { url: 'https://shop.test/sealed' });
    const stub = env.MERCHANTS.get(env.MERCHANTS.idFromName(merchant.id));
    const stored = () =>
      runInDurableObject(stub, (_instance: MerchantObject, state) =>
        JSON.stringify(state.storage.sql.exec('SELECT * FROM webhook_endpoints').toArray()),
      );
    expect(await stored()).not.toContain(endpoint.secret);
    // Sealed under the previous master key, as an endpoint made before the rotation would be.
    const previous = await Vault.fromEnv({ TILL_MASTER_KEY: env.TILL_PREVIOUS_MASTER_KEYS });
    const sealedBefore = await previous.seal(
      endpoint.secret,
      `merchant:${merchant.id}:webhook_endpoint:${endpoint.id}`,
    );
    await runInDurableObject(stub, (_instance: MerchantObject, state) => {
      state.storage.sql.exec('UPDATE webhook_endpoints SET secret_sealed = ? WHERE id = ?', sealedBefore, endpoint.id);
    });
    const reencrypted = await call<{ reencrypted: number }>(`/v1/admin/merchants/${merchant.id}/reencrypt`, {
      key: env.TILL_ADMIN_KEY,
      method: 'POST',
    });
    expect(reencrypted.body.reencrypted).toBe(1);
    expect(await stored()).not.toContain(sealedBefore);
    expect((await stub.webhookDestinations('test')).map((destination) => destination.secrets)).toEqual([
      [endpoint.secret],
    ]);
  });

  it('the SDK manages endpoints, reads attempts, redelivers, and verifies with the JWKS it fetches', async () => {
    startClock();
    const requests = receivers(() => 200);
    const merchant = await createMerchant();
    const fetch: FetchLike = (url, init) => SELF.fetch(url, init);
    const till = new Till({ secretKey: merchant.secret_key, baseUrl: ORIGIN, fetch });

    const endpoint = await till.webhookEndpoints.create({ url: `${HOOKS}/sdk`, enabled_events: ['order.paid'] });
    expect((await till.webhookEndpoints.list()).data.map((e) => e.id)).toEqual([endpoint.id]);
    expect(await till.webhookEndpoints.update(endpoint.id, { description: 'SDK' })).toMatchObject({
      description: 'SDK',
    });
    const { secret } = await till.webhookEndpoints.rollSecret(endpoint.id);

    const order = await newOrder(merchant.secret_key);
    await pay(order, card('4242424242424242'));
    await runUntil([order.id], Date.now() + 60_000);
    const [delivered] = requests;
    expect(delivered?.event.type).toBe('order.paid');
    // No secret needed: the client fetches Till's JWKS itself, and checks the delivery was signed
    // for this endpoint and is about this merchant. The secret works too.
    const endpointId = endpoint.id;
    await expect(
      till.webhooks.verifyWithJwks(delivered!.body, delivered!.signature, { endpointId }),
    ).resolves.toMatchObject({ id: delivered!.event.id, mode: 'test' });
    await expect(till.webhooks.verify(delivered!.body, delivered!.signature, secret)).resolves.toMatchObject({
      id: delivered!.event.id,
    });
    await expect(
      till.webhooks.verifyWithJwks(delivered!.body.replace('paid', 'pain'), delivered!.signature, { endpointId }),
    ).rejects.toMatchObject({
      reason: 'no_matching_signature',
    });
    await expect(
      Till.webhooks.verifyWithJwks(delivered!.body, delivered!.signature, { keys: [] }, { endpointId }),
    ).rejects.toMatchObject({ reason: 'unknown_key' });
    // Another merchant handed this genuine delivery refuses it, whichever endpoint id it expects.
    const stranger = await createMerchant();
    const theirs = await createEndpoint(stranger.secret_key, { url: `${HOOKS}/stranger` });
    const strangerTill = new Till({ secretKey: stranger.secret_key, baseUrl: ORIGIN, fetch });
    await expect(
      strangerTill.webhooks.verifyWithJwks(delivered!.body, delivered!.signature, { endpointId: theirs.id }),
    ).rejects.toMatchObject({ reason: 'wrong_endpoint' });
    await expect(
      strangerTill.webhooks.verifyWithJwks(delivered!.body, delivered!.signature, { endpointId }),
    ).rejects.toMatchObject({ reason: 'wrong_merchant' });

    expect((await till.events.deliveries(delivered!.event.id)).data).toMatchObject([
      { endpoint_id: endpoint.id, status: 200, response_excerpt: 'ok' },
    ]);
    const entry = await till.events.redeliver(delivered!.event.id, { endpoint_id: endpoint.id });
    expect(entry.deliveries.map((d) => [d.state, d.redelivery])).toEqual([
      ['delivered', false],
      ['pending', true],
    ]);
    await runUntil([order.id], Date.now() + 60_000);
    expect(requests.map((r) => r.event.id)).toEqual([delivered!.event.id, delivered!.event.id]);

    expect(await till.webhookEndpoints.del(endpoint.id)).toEqual({
      id: endpoint.id,
      object: 'webhook_endpoint',
      deleted: true,
    });
    const error = await till.webhookEndpoints.retrieve(endpoint.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TillApiError);
    expect(error).toMatchObject({ status: 404, code: 'webhook_endpoint_not_found' });
  });

  it(
    'times a run of failures by its tries: ' +
      'a failure after a long quiet starts a new run, an old success is ignored',
    async () => {
      const merchant = await createMerchant();
      const hook = await createEndpoint(merchant.secret_key, { url: `${HOOKS}/quiet` });
      const stub = env.MERCHANTS.get(env.MERCHANTS.idFromName(merchant.id));
      const report = (ok: boolean, attempted_at: number) =>
        runInDurableObject(stub, (instance: MerchantObject) =>
          instance.reportWebhookHealth([{ endpoint_id: hook.id, ok, error: ok ? null : 'HTTP 502', attempted_at }]),
        );
      const state = async () =>
        (await call<WebhookEndpoint>(`/v1/webhook_endpoints/${hook.id}`, { key: merchant.secret_key })).body;
      const day = 24 * 3600;
      // Tries are reported with their own times; these lie in the past, as late reports would.
      const base = Math.floor(Date.now() / 1000) - 9 * day;

      // A failure whose run-ending success was never reported...
      await report(false, base);
      expect((await state()).failing_since).toBe(base);
      // ...and a success from before it, arriving late, says nothing about that run.
      await report(true, base - day);
      expect((await state()).failing_since).toBe(base);
      // A single failure four quiet days later starts a new run instead of disabling the endpoint.
      const later = base + 4 * day;
      expect(await report(false, later)).toEqual([]);
      expect(await state()).toMatchObject({ status: 'enabled', failing_since: later });

      // Failures that keep coming within the retry gaps for three days do disable it.
      for (let at = later + 12 * 3600; at <= later + 3 * day; at += 12 * 3600) await report(false, at);
      expect(await state()).toMatchObject({ status: 'disabled', failing_since: later });
    },
  );
});
