/** Placeholder until the WeChat Pay fake lands: answers 404 to everything. */
import { serve, type RunningFake } from '../serve.ts';

export function startWechatpayFake(options: { port: number }): Promise<RunningFake> {
  return serve(options.port, () => new Response('not implemented', { status: 404 }));
}
