/**
 * The command line as a user runs it: `npm start` (the README's start command) and `cis token`.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { verifyToken } from '../../shared/local/local-auth';
import { freePort } from '../../shared/local/ports';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const CIS = path.join(ROOT, 'bin/cis.js');

async function fails(command: string, args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await run(command, args, { cwd: ROOT, timeout: 60_000 });
  } catch (error) {
    const failure = error as { code: number; stderr: string };
    return { code: failure.code, stderr: failure.stderr };
  }
  throw new Error(`${command} ${args.join(' ')} succeeded`);
}

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'cis-cli-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

it('npm start reports a port in use in one line, before starting anything', async () => {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  try {
    const { code, stderr } = await fails('npm', ['start', '--silent', '--', '--port', String(port), '--mqtt-port', String(await freePort())]);
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(`cis: port ${port} is in use: stop what uses it or choose another with --port`);
  } finally {
    server.close();
  }
});

it('cis token prints tokens the local gateway verifies, with the claims asked for', async () => {
  const { stdout: staff } = await run(process.execPath, [CIS, 'token', '--staff', 'alice', '--role', 'billing', '--data-dir', dataDir], { cwd: ROOT });
  expect(await verifyToken(dataDir, staff.trim())).toMatchObject({ 'cognito:username': 'alice', 'cognito:groups': ['billing'] });
  const { stdout: customer } = await run(process.execPath, [CIS, 'token', '--customer', 'C0001', '--data-dir', dataDir], { cwd: ROOT });
  expect(await verifyToken(dataDir, customer.trim())).toMatchObject({ 'custom:customerId': 'C0001' });
});

it.each([
  [['token'], 'give either --staff NAME --role ROLE or --customer CUSTOMER_ID'],
  [['token', '--staff', 'bob'], '--staff needs --role'],
  [['token', '--staff', 'bob', '--role', 'boss'], "argument 'boss' is invalid"],
  [['start', '--port', 'abc'], 'a port is a whole number from 1 to 65535'],
  [['publish-web'], "required option '--outputs <file>' not specified"],
  [['publish-web', '--outputs', 'no-such-outputs.json'], 'cannot read the outputs file no-such-outputs.json'],
  [['publish-web', '--outputs', 'package.json'], 'the outputs file has no stack with a UserPoolId output'],
  [['users', 'invite'], 'give --email with either --customer CUSTOMER_ID or --role ROLE'],
  [['users', 'invite', '--email', 'pat@example.com', '--customer', 'C0001'], 'name the user pool: --outputs cdk-outputs.json or --user-pool-id ID'],
  [['users', 'invite', '--email', 'pat', '--customer', 'C0001', '--user-pool-id', 'us-west-2_x'], 'email is not a valid address'],
  [['users', 'invite', '--email', 'casey@utility.gov', '--role', 'root', '--user-pool-id', 'us-west-2_x'], 'role must be csr, billing, admin or auditor'],
])('cis %j fails with a message that says what to do', async (args, message) => {
  const { code, stderr } = await fails(process.execPath, [CIS, ...args, ...(args[0] === 'token' ? ['--data-dir', dataDir] : [])]);
  expect(code).toBe(1);
  expect(stderr).toContain(message);
});
