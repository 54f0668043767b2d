/**
 * TEST-ONLY credentials of the merchant account the Adyen fake knows from the start. They guard
 * nothing and work only against test/fakes/adyen; `POST /_fake/accounts` makes more.
 */

/** Sent as X-API-Key, as a Customer Area API credential's key is. */
export const ADYEN_TEST_API_KEY = 'AQEyhmfxTillFakeAdyenTestKey0000000000000000000000000000';
export const ADYEN_TEST_MERCHANT_ACCOUNT = 'TillTestECOM';
/** The standard webhook's HMAC key: 32 bytes in hex, the form the Customer Area generates. */
export const ADYEN_TEST_HMAC_KEY = '6007731E1BEDE86A70D30EE260F27CAED749116446E627AFB94B6CA49A99F0BA';
