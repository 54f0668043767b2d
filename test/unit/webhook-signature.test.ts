import { createHmac, createPublicKey, verify as nodeVerify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type FetchLike,
  verifyWebhookWithJwks as sdkVerifyWithJwks,
  Till,
  TillWebhookError,
  verifyWebhook,
} from '../../sdk/index.ts';
import { fromBase64Url } from '../../shared/encoding.ts';
import { generateSigningKey, publicJwk } from '../../shared/jws.ts';
import { parseSignatureHeader, SignatureError } from '../../shared/signature.ts';
import {
  parseEd25519Parts,
  signWebhook,
  verifyWebhookWithJwks,
  verifyWebhookWithSecret,
} from '../../shared/webhook-signature.ts';
import { order } from './sdk-helpers.ts';

const secret = 'whsec_0123456789abcdefghijklmnop';
const rolled = 'whsec_ponmlkjihgfedcba9876543210';
const t = 1_800_000_000;
const body = JSON.stringify({ id: 'evt_1', type: 'order.paid' });
const key = await generateSigningKey();
const other = await generateSigningKey();
const jwks = [publicJwk(other), publicJwk(key)];
/** Two endpoints: A is where the delivery went, B is someone else's. */
const endpointA = 'we_AAAAAAAAAAAAAAAAAAAAAAAA';
const endpointB = 'we_BBBBBBBBBBBBBBBBBBBBBBBB';
const ENDPOINT_ID_REQUIRED =
  'Till: webhooks.verifyWithJwks needs { endpointId }: the id (we_…) ' +
  'of the webhook endpoint receiving the delivery, from GET /v1/webhook_endpoints';

async function failure(work: () => unknown): Promise<string> {
  try {
    await work();
  } catch (error) {
    return error instanceof SignatureError || error instanceof TillWebhookError ? error.reason : String(error);
  }
  return 'accepted';
}

const sign = (secrets: string[] = [secret], timestamp = t, endpointId = endpointA) =>
  signWebhook(body, { endpointId, secrets, key, timestamp });
const asA = (extra: { now?: number; toleranceSeconds?: number } = {}) => ({ endpointId: endpointA, now: t, ...extra });

describe('webhook signatures: HMAC and Ed25519', () => {
  it(
    'writes the HMAC over "<t>.<body>" and the Ed25519 signature ' +
      'over "<t>.<eid>.<body>", each checkable without Till code',
    async () => {
      const header = await sign();
      const expectedMac = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
      expect(header).toMatch(
        new RegExp(`^t=${t},v1=${expectedMac},ed25519=[A-Za-z0-9_-]{86},kid=${key.kid},eid=${endpointA}$`),
      );
      const { signature, endpointId } = parseEd25519Parts(header);
      expect(endpointId).toBe(endpointA);
      const publicKey = createPublicKey({ key: publicJwk(key), format: 'jwk' });
      const signed = (message: string) =>
        nodeVerify(null, Buffer.from(message), publicKey, Buffer.from(fromBase64Url(signature)));
      expect(signed(`${t}.${endpointA}.${body}`)).toBe(true);
      expect(signed(`${t}.${body}`)).toBe(false);
      expect(signed(`${t}.${endpointB}.${body}`)).toBe(false);
    },
  );

  it('verifies both ways inside the window, whichever key of the JWKS signed', async () => {
    const header = await sign();
    await expect(verifyWebhookWithSecret(body, header, secret, { now: t + 299 })).resolves.toMatchObject({
      timestamp: t,
    });
    expect(verifyWebhookWithJwks(body, header, jwks, asA({ now: t - 299 }))).toEqual({
      timestamp: t,
      kid: key.kid,
      endpointId: endpointA,
      signature: expect.any(String),
    });
    // The sandbox's and request signatures' parser still reads the header: extra parts (eid too) are skipped.
    expect(parseSignatureHeader(header).signatures).toHaveLength(1);
  });

  it('signs with every secret given, so a rolled secret and its predecessor both verify', async () => {
    const header = await sign([rolled, secret]);
    expect(header.match(/,v1=/g)).toHaveLength(2);
    for (const candidate of [rolled, secret])
      await expect(verifyWebhookWithSecret(body, header, candidate, { now: t })).resolves.toBeTruthy();
    expect(await failure(() => verifyWebhookWithSecret(body, header, `${secret}x`, { now: t }))).toBe(
      'no_matching_signature',
    );
  });

  it('refuses tampered bodies, timestamps and signatures', async () => {
    const header = await sign();
    const tampered = body.replace('paid', 'pain');
    expect(await failure(() => verifyWebhookWithSecret(tampered, header, secret, { now: t }))).toBe(
      'no_matching_signature',
    );
    expect(await failure(() => verifyWebhookWithJwks(tampered, header, jwks, asA()))).toBe('no_matching_signature');
    // A moved timestamp breaks both signatures, even inside the window.
    const moved = header.replace(`t=${t}`, `t=${t + 1}`);
    expect(await failure(() => verifyWebhookWithSecret(body, moved, secret, { now: t }))).toBe('no_matching_signature');
    expect(await failure(() => verifyWebhookWithJwks(body, moved, jwks, asA()))).toBe('no_matching_signature');
    const { signature } = parseEd25519Parts(header);
    const flipped = header.replace(signature, `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`);
    expect(await failure(() => verifyWebhookWithJwks(body, flipped, jwks, asA()))).toBe('no_matching_signature');
    // Another Till's key under this kid does not pass.
    const impostor = await signWebhook(body, {
      endpointId: endpointA,
      secrets: [secret],
      key: { d: other.d, kid: key.kid },
      timestamp: t,
    });
    expect(await failure(() => verifyWebhookWithJwks(body, impostor, jwks, asA()))).toBe('no_matching_signature');
  });

  it('binds the Ed25519 signature to the endpoint it was sent to', async () => {
    const header = await sign();
    // (a) A delivery for endpoint A does not verify as a delivery to endpoint B: refused on the
    // header's eid, before any signature is looked at (a broken signature changes nothing).
    expect(await failure(() => verifyWebhookWithJwks(body, header, jwks, { endpointId: endpointB, now: t }))).toBe(
      'wrong_endpoint',
    );
    const { signature } = parseEd25519Parts(header);
    const broken = header.replace(signature, `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`);
    expect(await failure(() => verifyWebhookWithJwks(body, broken, jwks, { endpointId: endpointB, now: t }))).toBe(
      'wrong_endpoint',
    );
    // (b) Rewriting eid to B's id passes that check, but the signature is over A's id.
    const swapped = header.replace(`eid=${endpointA}`, `eid=${endpointB}`);
    expect(parseEd25519Parts(swapped).endpointId).toBe(endpointB);
    expect(await failure(() => verifyWebhookWithJwks(body, swapped, jwks, { endpointId: endpointB, now: t }))).toBe(
      'no_matching_signature',
    );
    expect(await failure(() => verifyWebhookWithJwks(body, swapped, jwks, asA()))).toBe('wrong_endpoint');
    // The same body and timestamp signed for B verify as B only.
    const forB = await sign([secret], t, endpointB);
    expect(verifyWebhookWithJwks(body, forB, jwks, { endpointId: endpointB, now: t }).endpointId).toBe(endpointB);
    expect(await failure(() => verifyWebhookWithJwks(body, forB, jwks, asA()))).toBe('wrong_endpoint');
    // The HMAC is over "<t>.<body>" as before: the endpoint's secret already names the endpoint.
    await expect(verifyWebhookWithSecret(body, swapped, secret, { now: t })).resolves.toBeTruthy();
  });

  it('needs the expected endpoint to verify with the JWKS, and an endpoint to sign for', async () => {
    const header = await sign();
    for (const options of [
      undefined,
      {},
      { now: t },
      { endpointId: '' },
      { endpointId: 'we_short' },
      { endpointId: 'ep_AAAAAAAAAAAAAAAAAAAAAAAA' },
    ]) {
      expect(() => verifyWebhookWithJwks(body, header, jwks, options as never)).toThrow(TypeError);
    }
    for (const endpointId of [undefined, '', 'we_short', `${endpointA},kid=x`]) {
      await expect(
        signWebhook(body, { endpointId: endpointId as never, secrets: [secret], key, timestamp: t }),
      ).rejects.toThrow(TypeError);
    }
  });

  it('refuses an unknown kid and a timestamp outside the window', async () => {
    const header = await sign();
    expect(await failure(() => verifyWebhookWithJwks(body, header, [publicJwk(other)], asA()))).toBe('unknown_key');
    expect(await failure(() => verifyWebhookWithJwks(body, header.replace(key.kid, 'retired-key'), jwks, asA()))).toBe(
      'unknown_key',
    );
    expect(await failure(() => verifyWebhookWithJwks(body, header, jwks, asA({ now: t + 301 })))).toBe(
      'timestamp_outside_tolerance',
    );
    expect(await failure(() => verifyWebhookWithJwks(body, header, jwks, asA({ now: t - 301 })))).toBe(
      'timestamp_outside_tolerance',
    );
    expect(await failure(() => verifyWebhookWithSecret(body, header, secret, { now: t + 301 }))).toBe(
      'timestamp_outside_tolerance',
    );
    expect(verifyWebhookWithJwks(body, header, jwks, asA({ now: t + 3000, toleranceSeconds: 3600 })).kid).toBe(key.kid);
  });

  it('reads headers strictly', async () => {
    const header = await sign();
    const { signature } = parseEd25519Parts(header);
    const malformed = [
      header.replace(/,ed25519=[^,]+/, ''),
      header.replace(/,kid=[^,]+/, ''),
      header.replace(/,eid=.+$/, ''),
      `${header},ed25519=${signature}`,
      `${header},eid=${endpointA}`,
      `${header},eid=${endpointB}`,
      header.replace(signature, signature.slice(1)),
      header.replace(`kid=${key.kid}`, 'kid=a,b'),
      header.replace(`eid=${endpointA}`, 'eid='),
      header.replace(`eid=${endpointA}`, `eid=${endpointA.slice(0, -1)}`),
      header.replace(`eid=${endpointA}`, `eid=ep_${endpointA.slice(3)}`),
      header.replace(`eid=${endpointA}`, `eid=${endpointA}0`),
      header.replace(`t=${t}`, 't=soon'),
      'ed25519',
    ];
    for (const bad of malformed)
      expect([bad, await failure(() => verifyWebhookWithJwks(body, bad, jwks, asA()))]).toEqual([
        bad,
        'malformed_header',
      ]);
    expect(await failure(() => verifyWebhookWithJwks(body, null, jwks, asA()))).toBe('missing_header');
    await expect(signWebhook(body, { endpointId: endpointA, secrets: [], key, timestamp: t })).rejects.toThrow(
      TypeError,
    );
    await expect(
      signWebhook(body, { endpointId: endpointA, secrets: [secret], key: { d: key.d, kid: 'a,b' }, timestamp: t }),
    ).rejects.toThrow(TypeError);
  });
});

describe('the SDK’s webhook verification', () => {
  const merchantA = 'mer_AttackerAttacker';
  const merchantB = 'mer_VictimVictimVict';
  /** An order as events carry it: without its client token. */
  const eventOrder = (merchant: string) => {
    const { client_token: _token, ...object } = order({
      id: 'ord_0123456789abcdefghijklmn',
      merchant_id: merchant,
      created_at: t,
      expires_at: t + 3600,
    });
    return object;
  };
  const keyOf = (merchant: string) => `sk_test_${merchant.slice(4)}_${'k'.repeat(32)}`;
  const eventFor = (merchant: string, type = 'order.created') =>
    JSON.stringify({
      id: 'evt_0123456789abcdefghijklmn',
      object: 'event',
      type,
      created: t,
      mode: 'test',
      data: { object: eventOrder(merchant) },
    });
  /** A client whose fetch serves only Till's JWKS, counting the fetches. */
  function clientOf(merchant: string) {
    let fetches = 0;
    const fetch: FetchLike = async (url) => {
      fetches += 1;
      expect(new URL(url).pathname).toBe('/.well-known/jwks.json');
      return new Response(JSON.stringify({ keys: jwks }), { headers: { 'content-type': 'application/json' } });
    };
    const till = new Till({ secretKey: keyOf(merchant), baseUrl: 'https://till.test', fetch, now: () => t * 1000 });
    return { till, fetches: () => fetches };
  }

  it('verifies an event either way and says why it refuses one', async () => {
    const event = eventFor(merchantA);
    const header = await signWebhook(event, { endpointId: endpointA, secrets: [secret], key, timestamp: t });
    await expect(verifyWebhook(event, header, secret, { now: t })).resolves.toMatchObject({
      id: 'evt_0123456789abcdefghijklmn',
    });
    await expect(sdkVerifyWithJwks(event, header, { keys: jwks }, asA())).resolves.toMatchObject({
      type: 'order.created',
    });
    await expect(Till.webhooks.verifyWithJwks(event, header, { keys: jwks }, asA())).resolves.toMatchObject({
      type: 'order.created',
    });
    expect(await failure(() => sdkVerifyWithJwks(event, header, { keys: [publicJwk(other)] }, asA()))).toBe(
      'unknown_key',
    );
    expect(await failure(() => sdkVerifyWithJwks(event, header, { keys: jwks }, { ...asA(), mode: 'live' }))).toBe(
      'wrong_mode',
    );
    expect(
      await failure(() => sdkVerifyWithJwks(event, header, { keys: jwks }, { endpointId: endpointB, now: t })),
    ).toBe('wrong_endpoint');
    expect(
      await failure(() => sdkVerifyWithJwks(event, header, { keys: jwks }, { ...asA(), merchantId: merchantB })),
    ).toBe('wrong_merchant');
    await expect(sdkVerifyWithJwks(event, header, { keys: [{ kty: 'RSA' }] } as never, asA())).rejects.toThrow(
      TypeError,
    );
  });

  it(
    'refuses to verify with the JWKS without the endpoint id, ' + 'with an exact message, before fetching anything',
    async () => {
      const event = eventFor(merchantA);
      const header = await signWebhook(event, { endpointId: endpointA, secrets: [secret], key, timestamp: t });
      for (const options of [undefined, {}, { now: t }, { endpointId: 'we_nope' }, { endpointId: 42 }]) {
        await expect(Till.webhooks.verifyWithJwks(event, header, { keys: jwks }, options as never)).rejects.toThrow(
          new TypeError(ENDPOINT_ID_REQUIRED),
        );
        const { till, fetches } = clientOf(merchantA);
        await expect(till.webhooks.verifyWithJwks(event, header, options as never)).rejects.toThrow(
          new TypeError(ENDPOINT_ID_REQUIRED),
        );
        expect(fetches()).toBe(0);
      }
    },
  );

  it('refuses merchant A’s genuine delivery forwarded to merchant B', async () => {
    // Merchant A pays its own order; Till signs the order.paid delivery to A's endpoint.
    const paid = eventFor(merchantA, 'order.paid');
    const header = await signWebhook(paid, { endpointId: endpointA, secrets: [secret], key, timestamp: t });
    const a = clientOf(merchantA);
    await expect(
      a.till.webhooks.verifyWithJwks(paid, header, { endpointId: endpointA, now: t }),
    ).resolves.toMatchObject({ type: 'order.paid' });

    // A forwards it, within the window, to B's handler, which verifies as its own endpoint B.
    const b = clientOf(merchantB);
    expect(await failure(() => b.till.webhooks.verifyWithJwks(paid, header, { endpointId: endpointB, now: t }))).toBe(
      'wrong_endpoint',
    );
    expect(
      await failure(() =>
        Till.webhooks.verifyWithJwks(paid, header, { keys: jwks }, { endpointId: endpointB, now: t }),
      ),
    ).toBe('wrong_endpoint');
    // Rewriting eid to B's endpoint breaks the signature.
    const rewritten = header.replace(`eid=${endpointA}`, `eid=${endpointB}`);
    expect(
      await failure(() => b.till.webhooks.verifyWithJwks(paid, rewritten, { endpointId: endpointB, now: t })),
    ).toBe('no_matching_signature');
    expect(
      await failure(() =>
        Till.webhooks.verifyWithJwks(paid, rewritten, { keys: jwks }, { endpointId: endpointB, now: t }),
      ),
    ).toBe('no_matching_signature');
    // Even a B handler fooled into expecting A's endpoint id refuses A's event: B's client checks the merchant.
    expect(await failure(() => b.till.webhooks.verifyWithJwks(paid, header, { endpointId: endpointA, now: t }))).toBe(
      'wrong_merchant',
    );
    expect(
      await failure(() =>
        b.till.webhooks.verifyWithJwks(paid, header, { endpointId: endpointA, jwks: { keys: jwks }, now: t }),
      ),
    ).toBe('wrong_merchant');
    // The client's mode default holds as on the HMAC path.
    const live = new Till({
      secretKey: `sk_live_${merchantA.slice(4)}_${'k'.repeat(32)}`,
      baseUrl: 'https://till.test',
      now: () => t * 1000,
    });
    expect(
      await failure(() =>
        live.webhooks.verifyWithJwks(paid, header, { endpointId: endpointA, jwks: { keys: jwks }, now: t }),
      ),
    ).toBe('wrong_mode');
  });
});
