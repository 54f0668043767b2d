import { describe, expect, it } from 'vitest';
import { TillReceiptError, TillWebhookError } from '../../sdk/index.ts';
import { JwsError } from '../../shared/jws.ts';
import { ReasonError } from '../../shared/reason-error.ts';
import { RequestSignatureError } from '../../shared/request-signature.ts';
import { SignatureError } from '../../shared/signature.ts';
import { WechatpaySignatureError } from '../../worker/channels/wechatpay/signature-check.ts';

describe('errors with a reason share one base', () => {
  const cases: Array<[string, ReasonError<string>]> = [
    ['SignatureError', new SignatureError('missing_header', 'signature header is missing')],
    ['RequestSignatureError', new RequestSignatureError('nonce_replayed', 'nonce was seen before')],
    ['JwsError', new JwsError('expired', 'token has expired')],
    ['TillWebhookError', new TillWebhookError('wrong_mode', 'event is for live mode')],
    ['TillReceiptError', new TillReceiptError('wrong_merchant', 'receipt is for another merchant')],
  ];

  it.each(cases)('%s keeps its name, reason and message', (name, error) => {
    expect(error).toBeInstanceOf(ReasonError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(name);
    expect(String(error)).toBe(`${name}: ${error.message}`);
    expect(error.stack).toContain(name);
    expect(Object.keys(error).sort()).toEqual(['name', 'reason']);
  });

  it('still tells the subclasses apart', () => {
    const jws = new JwsError('malformed', 'token is not a compact JWS');
    expect(jws).not.toBeInstanceOf(SignatureError);
    expect(new SignatureError('malformed_header', 'x')).not.toBeInstanceOf(JwsError);
    expect(jws.reason).toBe('malformed');
    expect(jws.message).toBe('token is not a compact JWS');
  });

  it("WeChat Pay's signature error takes its message from its reason", () => {
    const error = new WechatpaySignatureError('bad_signature');
    expect(error).toBeInstanceOf(ReasonError);
    expect(error.name).toBe('WechatpaySignatureError');
    expect(error.reason).toBe('bad_signature');
    expect(error.message).toBe('has a signature that does not verify');
  });

  it('carries a cause when given one', () => {
    const cause = new Error('underlying');
    expect(new JwsError('malformed', 'token is not a compact JWS', { cause }).cause).toBe(cause);
  });
});
