/** The widget's API, authenticated by the order's client token, and where channels report outcomes. */

import { z } from 'zod';
import * as s from '../../schemas.ts';
import { attemptId, channelId, orderId } from '../params.ts';
import { route } from '../route.ts';
import {
  ActionReturnQuerySchema,
  ChannelAcknowledgementSchema,
  CheckoutQuerySchema,
  StartAttemptRequestSchema,
} from '../schemas.ts';

export const CHECKOUT_ROUTES = {
  retrieveCheckout: route({
    method: 'get',
    path: '/v1/checkout/{id}',
    tags: ['Checkout'],
    auth: ['client_token'],
    limits: ['checkout-ip'],
    cors: 'order_merchant_origins',
    idempotent: false,
    params: { id: orderId },
    summary: 'Retrieve the checkout',
    description:
      'What the widget shows: the order as the shopper may see it, the methods that fit the shopper, and the ' +
      'attempt in progress.',
    query: CheckoutQuerySchema,
    queryExample: { context: 'mobile' },
    responses: { 200: { schema: s.CheckoutSummarySchema, description: 'The checkout summary.' } },
    errors: ['order_not_found'],
    sdk: null,
  }),
  startAttempt: route({
    method: 'post',
    path: '/v1/checkout/{id}/attempts',
    tags: ['Checkout'],
    auth: ['client_token'],
    limits: ['checkout-ip', 'attempts-ip', 'attempts-order'],
    cors: 'order_merchant_origins',
    idempotent: true,
    params: { id: orderId },
    summary: 'Start a payment attempt',
    description:
      'Starts paying the order with the chosen method. The summary says what happens next: a redirect, a 3-D ' +
      'Secure challenge, a QR code, or the result.',
    query: CheckoutQuerySchema,
    body: StartAttemptRequestSchema,
    bodyExample: {
      channel: 'sandbox',
      method: 'card',
      card: { number: '4242 4242 4242 4242', exp_month: 12, exp_year: 2030, cvc: '123' },
    },
    responses: {
      201: { schema: s.CheckoutSummarySchema, description: 'The checkout summary with the new attempt.' },
    },
    errors: ['order_not_found', 'channel_not_available', 'order_not_payable', 'attempt_in_progress', 'channel_error'],
    sdk: null,
  }),
  returnFromAction: route({
    method: 'get',
    path: '/v1/checkout/{id}/attempts/{attempt}/return',
    tags: ['Checkout'],
    auth: [],
    limits: ['checkout-ip'],
    idempotent: false,
    params: { id: orderId, attempt: attemptId },
    summary: "Come back from a card processor's page",
    description:
      "Where a processor's 3-D Secure page sends the shopper back. Till asks the processor what happened " +
      "(the processor's query parameters go to it, never believed on their own), applies the answer, and sends " +
      'the shopper on to `to` with 303.',
    query: ActionReturnQuerySchema,
    queryExample: { to: 'https://till.example.com/v1/frame?order=ord_0123456789abcdefghijABCD' },
    responses: {
      303: {
        schema: z.string().url().describe('Location: `to`, or the checkout frame when `to` is missing or not allowed.'),
        description: 'See Other: on to the checkout, which shows the outcome.',
        redirect: true,
      },
    },
    errors: ['order_not_found', 'attempt_not_found'],
    sdk: null,
  }),
  followCheckout: route({
    method: 'get',
    path: '/v1/checkout/{id}/live',
    tags: ['Checkout'],
    auth: ['client_token'],
    websocket: true,
    limits: ['checkout-ip'],
    cors: 'order_merchant_origins',
    idempotent: false,
    params: { id: orderId },
    summary: 'Follow the checkout live (WebSocket)',
    description:
      'A WebSocket that sends the checkout summary at once and again after every change. Browsers offer the ' +
      'subprotocols `till.v1` and the client token (`new WebSocket(url, ["till.v1", token])`); other clients ' +
      "may send `Authorization: Bearer` instead. Only the checkout frame's own origin may open it. The server " +
      'closes it with 1000 shortly after a final status, or 4001 when the token expires; `ping` is answered ' +
      'with `pong`.',
    query: CheckoutQuerySchema,
    responses: {
      101: {
        schema: s.CheckoutSummarySchema,
        description: 'Switching Protocols (subprotocol `till.v1`); every text message is a checkout summary.',
      },
    },
    errors: ['order_not_found', 'forbidden', 'upgrade_required'],
    sdk: null,
  }),
};

export const CHANNEL_ROUTES = {
  channelEvents: route({
    method: 'post',
    path: '/v1/channels/{channel}/events',
    tags: ['Channels'],
    auth: ['channel'],
    idempotent: false,
    params: {
      channel: { ...channelId, example: 'stripe', invalid: { code: 'not_found', message: 'Unknown channel' } },
    },
    summary: "Receive a card processor's webhook",
    description:
      'Where processors with one webhook endpoint per account (Stripe) report outcomes: add this URL in the ' +
      "processor's dashboard. Each event names its order; the order's object verifies the signature with the " +
      "merchant's credentials for the order's mode. Events about no order of Till's are acknowledged and ignored.",
    body: { opaque: "The processor's own event, verified with its signature." },
    responses: {
      200: { schema: ChannelAcknowledgementSchema, description: 'Acknowledged; the processor stops retrying.' },
    },
    errors: ['not_found', 'invalid_signature', 'invalid_parameter', 'body_too_large'],
    sdk: null,
  }),
  channelNotify: route({
    method: 'post',
    path: '/v1/channels/{channel}/notify/{order}',
    tags: ['Channels'],
    auth: ['channel'],
    idempotent: false,
    params: {
      channel: { ...channelId, invalid: { code: 'not_found', message: 'Unknown channel' } },
      order: {
        ...orderId,
        description: 'The order the notification is about: each trade is opened with this URL as its notify URL.',
      },
    },
    summary: 'Receive a channel notification',
    description:
      "Where payment channels report outcomes, signed in their own format and verified with the merchant's " +
      "credentials for the order's mode; not for merchants to call. The answer is the one the channel expects " +
      '(Alipay `success`, WeChat Pay 204).',
    body: { opaque: "The channel's own notification, verified with the channel's signature." },
    responses: {
      200: {
        schema: ChannelAcknowledgementSchema,
        contentType: 'text/plain',
        description: 'Acknowledged; the channel stops retrying.',
      },
    },
    errors: ['not_found', 'order_not_found', 'invalid_signature', 'invalid_parameter', 'body_too_large'],
    sdk: null,
  }),
};
