/**
 * A local stand-in for the WeChat Pay API v3 (WeChat Pay has no sandbox). It checks Till's
 * request signatures with wechatpay-axios-plugin's own code, signs its answers and callbacks with
 * a fake platform key (public-key mode by default, certificate mode on request), and keeps
 * trades and refunds in memory. See control.ts for the test and demo controls.
 */
import { type RunningFake, serve } from '../serve.ts';
import { handleApi } from './api.ts';
import { handleControl } from './control.ts';
import { FakeState } from './state.ts';

export async function startWechatpayFake(options: { port: number }): Promise<RunningFake> {
  const state = new FakeState();
  return serve(options.port, async (request) => {
    const path = new URL(request.url).pathname;
    if (path.startsWith('/v3/')) return handleApi(state, request);
    const answer = await handleControl(state, request);
    return answer ?? Response.json({ code: 'NOT_FOUND', message: `${request.method} ${path} 不存在` }, { status: 404 });
  });
}
