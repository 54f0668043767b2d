/** Starts the channel fakes for the worker tests (the Workers runtime calls them over local HTTP). */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { FAKE_PORTS } from './ports.ts';

let child: ChildProcess | undefined;

export async function setup(): Promise<void> {
  const { alipay, wechatpay, stripe, adyen } = FAKE_PORTS.worker;
  const ports = [alipay, wechatpay, stripe, adyen].map(String);
  child = spawn(process.execPath, ['test/fakes/run-fakes.ts', ...ports], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const ready = once(lines, 'line');
  const failed = once(child, 'exit').then(([code]) => {
    throw new Error(`the channel fakes exited with code ${String(code)} before listening`);
  });
  await Promise.race([ready, failed]);
}

export async function teardown(): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}
