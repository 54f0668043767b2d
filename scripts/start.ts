/**
 * `npm start`: builds nothing itself (npm runs `build` first), then runs Till locally on
 * wrangler dev, offline, with the demo merchant seeded. PORT overrides 8787.
 */
import { startDevServer } from './dev-server.ts';

const port = Number(process.env.PORT ?? 8787);
const merchantFile = '.till/dev-merchant.json';

const server = await startDevServer({ port, inheritOutput: true, merchantFile });
const { merchant, url } = server;
console.log(`
  Till is running on ${url}

  Demo shop        ${url}/demo
  JWKS             ${url}/.well-known/jwks.json

  Demo merchant    ${merchant.merchant_id}   (test mode: sandbox, and Alipay and WeChat Pay against local stand-ins)
  Publishable key  ${merchant.publishable_key}
  Secret key       ${merchant.secret_key}
  Webhook secret   ${merchant.webhook_secret}
  (saved in ${merchantFile}; secrets of the platform are in .dev.vars)

  Try:  curl ${url}/v1/orders -H "Authorization: Bearer ${merchant.secret_key}" \\
          -H "Content-Type: application/json" -d '{"amount":1234,"currency":"USD","description":"Test order"}'
`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void server.stop().then(() => process.exit(0));
  });
}
server.process.on('exit', (code) => process.exit(code ?? 0));
