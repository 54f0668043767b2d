/** Checks a channel configuration request: the channel must exist and its credentials pass its own schema. */
import { z } from 'zod';
import { TillError } from '../../../shared/errors.ts';
import type { ConfigureChannelRequest, Mode } from '../../../shared/schemas.ts';
import type { Env } from '../../base/env.ts';
import { type ChannelId, channelOf, deploymentGapOf, isChannelId } from '../../channels/registry.ts';
import { parseWith } from '../input.ts';

export interface ChannelConfiguration {
  channel: ChannelId;
  enabled: boolean;
  credentials: { mode: Mode; value: Record<string, unknown> } | undefined;
}

/** `callerMode`: the mode of the merchant key calling, or null for the platform admin. */
type CredentialsCheck = (credentials: unknown, mode: Mode, env: Env) => { param: string; message: string } | null;

export function channelConfiguration(
  env: Env,
  channel: string,
  request: ConfigureChannelRequest,
  callerMode: Mode | null,
): ChannelConfiguration {
  if (!isChannelId(channel)) throw new TillError('channel_not_available', `Unknown channel: ${channel}`, 'channel');
  if (callerMode === null && request.credentials !== undefined && request.mode === undefined) {
    // Production credentials stored as test ones would silently never be used.
    throw new TillError('missing_parameter', 'Name the mode (test or live) the credentials are for', 'mode');
  }
  const mode = request.mode ?? callerMode ?? 'test';
  if (callerMode !== null && mode !== callerMode) {
    throw new TillError(
      'invalid_parameter',
      `A ${callerMode} key sets ${callerMode} credentials only; use a ${mode} secret key`,
      'mode',
    );
  }
  if (request.credentials === undefined) return { channel, enabled: request.enabled, credentials: undefined };
  const gap = deploymentGapOf(channel, env, mode);
  if (gap) throw new TillError('channel_not_available', gap, 'mode');
  const schema = channelOf(channel).credentials;
  if (!schema) throw new TillError('invalid_parameter', `The ${channel} channel takes no credentials`, 'credentials');
  // Wrapped so an error names the full parameter, e.g. `credentials.app_id`.
  const { credentials } = parseWith(z.strictObject({ credentials: schema }), { credentials: request.credentials });
  const problem = (channelOf(channel).credentialsProblem as CredentialsCheck | undefined)?.(credentials, mode, env);
  if (problem) {
    const param = `credentials.${problem.param}`;
    throw new TillError('invalid_parameter', `Invalid ${param}: ${problem.message}`, param);
  }
  return { channel, enabled: request.enabled, credentials: { mode, value: credentials as Record<string, unknown> } };
}
