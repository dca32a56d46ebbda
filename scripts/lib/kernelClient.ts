/**
 * A minimal Jupyter client for the iwlab kernel, speaking the messaging protocol over ZeroMQ with
 * the zeromq package tslab already depends on: no Python, no Jupyter. It starts the kernel exactly
 * as Jupyter would (jupyter/kernels/iwlab/kernel.json's launcher with a connection file), so the
 * headless runs exercise the same launcher, working directory and display path as the front ends.
 * Protocol: https://jupyter-client.readthedocs.io/en/stable/messaging.html (wire protocol 5.3).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as zmq from 'zeromq';
import { REPO_ROOT } from '../../src/paths';

export { REPO_ROOT };
export const KERNEL_LAUNCHER = path.join(REPO_ROOT, 'jupyter', 'kernels', 'iwlab', 'launch.js');

const DELIMITER = '<IDS|MSG>';
const PROTOCOL_VERSION = '5.3';

export interface MessageHeader {
  msg_id: string;
  msg_type: string;
  session: string;
  username: string;
  date: string;
  version: string;
}

export interface KernelMessage {
  header: MessageHeader;
  parent_header: Partial<MessageHeader>;
  metadata: Record<string, unknown>;
  content: Record<string, unknown>;
}

export interface ExecuteReply {
  status: 'ok' | 'error' | 'abort';
  execution_count?: number;
}

export class KernelStartError extends Error {
  constructor(reason: string, output: string) {
    super(
      `The iwlab kernel did not start: ${reason}.` +
        (output.trim() ? `\nKernel output:\n${output.trim()}` : '') +
        '\nCheck that `npm ci` has run and that `node jupyter/kernels/iwlab/launch.js` exists.',
    );
    this.name = 'KernelStartError';
  }
}

export class KernelDiedError extends Error {
  constructor(code: number | null, signal: string | null, output: string) {
    super(
      `The kernel exited while a cell ran (exit code ${code ?? '-'}, signal ${signal ?? '-'}); often out of memory ` +
        `or a native crash.${output.trim() ? `\nKernel output:\n${output.trim()}` : ''}`,
    );
    this.name = 'KernelDiedError';
  }
}

export class CellTimeoutError extends Error {
  constructor(seconds: number) {
    super(`The cell ran longer than the ${seconds} s per-cell limit; raise it with --timeout <seconds> or run at a smaller scale.`);
    this.name = 'CellTimeoutError';
  }
}

export interface KernelStartOptions {
  /** The kernel's environment; the notebook reads IWLAB_SCALE from it. */
  env?: NodeJS.ProcessEnv;
  /** Seconds to wait for the first kernel_info_reply (tslab loads a TypeScript compiler first). */
  startTimeout?: number;
}

/** Keeps the last few kilobytes of the kernel's own stdout/stderr, for crash reports. */
class OutputTail {
  private text = '';
  append(chunk: Buffer): void {
    this.text = (this.text + chunk.toString('utf8')).slice(-8000);
  }
  toString(): string {
    return this.text;
  }
}

export class KernelClient {
  private readonly session = randomUUID();
  private readonly iopubListeners = new Map<string, (message: KernelMessage) => void>();
  private readonly shellWaiters = new Map<string, (message: KernelMessage) => void>();
  private iopubSeen = false;
  private exited: { code: number | null; signal: string | null } | undefined;
  private readonly exitListeners = new Set<() => void>();

  private constructor(
    private readonly child: ChildProcess,
    private readonly key: string,
    private readonly shell: zmq.Dealer,
    private readonly iopub: zmq.Subscriber,
    private readonly tempDir: string,
    readonly output: OutputTail,
  ) {
    child.on('exit', (code, signal) => {
      this.exited = { code, signal };
      for (const listener of this.exitListeners) listener();
    });
    void this.pump(this.iopub, (message) => {
      this.iopubSeen = true;
      const parent = message.parent_header.msg_id;
      if (parent !== undefined) this.iopubListeners.get(parent)?.(message);
    });
    void this.pump(this.shell, (message) => {
      const parent = message.parent_header.msg_id;
      if (parent !== undefined) this.shellWaiters.get(parent)?.(message);
    });
  }

  /** Starts a kernel through the repo's launcher and waits until it answers on shell and iopub. */
  static async start(options: KernelStartOptions = {}): Promise<KernelClient> {
    const tempDir = mkdtempSync(path.join(tmpdir(), 'iwlab-kernel-'));
    const [shellPort, iopubPort, stdinPort, controlPort, hbPort] = await freePorts(5);
    const key = randomBytes(32).toString('hex');
    const connectionFile = path.join(tempDir, 'connection.json');
    const connection = {
      transport: 'tcp',
      ip: '127.0.0.1',
      shell_port: shellPort,
      iopub_port: iopubPort,
      stdin_port: stdinPort,
      control_port: controlPort,
      hb_port: hbPort,
      key,
      signature_scheme: 'hmac-sha256',
      kernel_name: 'iwlab',
    };
    writeFileSync(connectionFile, JSON.stringify(connection));
    const child = spawn(process.execPath, [KERNEL_LAUNCHER, connectionFile], {
      cwd: REPO_ROOT,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = new OutputTail();
    child.stdout?.on('data', (chunk: Buffer) => output.append(chunk));
    child.stderr?.on('data', (chunk: Buffer) => output.append(chunk));

    const shell = new zmq.Dealer({ linger: 0 });
    const iopub = new zmq.Subscriber({ linger: 0 });
    shell.connect(`tcp://127.0.0.1:${shellPort}`);
    iopub.connect(`tcp://127.0.0.1:${iopubPort}`);
    iopub.subscribe();
    const client = new KernelClient(child, key, shell, iopub, tempDir, output);
    try {
      await client.waitReady((options.startTimeout ?? 120) * 1000);
    } catch (error) {
      await client.shutdown();
      throw error;
    }
    return client;
  }

  /**
   * A subscriber misses whatever the kernel published before it connected, so "ready" means a
   * kernel_info_reply on shell *and* a message seen on iopub (jupyter_client's wait_for_ready).
   */
  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exited) throw new KernelStartError(`it exited with code ${this.exited.code ?? '-'}`, this.output.toString());
      const reply = await this.request('kernel_info_request', {}, 1000);
      if (reply !== undefined && this.iopubSeen) return;
    }
    throw new KernelStartError(`no kernel_info_reply within ${timeoutMs / 1000} s`, this.output.toString());
  }

  /** Sends a shell request and resolves with its reply, or undefined after timeoutMs. */
  private request(msgType: string, content: Record<string, unknown>, timeoutMs: number): Promise<KernelMessage | undefined> {
    const message = this.message(msgType, content);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.shellWaiters.delete(message.header.msg_id);
        resolve(undefined);
      }, timeoutMs);
      this.shellWaiters.set(message.header.msg_id, (reply) => {
        clearTimeout(timer);
        this.shellWaiters.delete(message.header.msg_id);
        resolve(reply);
      });
      void this.send(this.shell, message);
    });
  }

  /**
   * Runs one cell. Every iopub message caused by it goes to onIopub, in order; resolves once the
   * execute_reply has arrived and the kernel has gone idle for this request (so no output is lost).
   */
  execute(code: string, onIopub: (message: KernelMessage) => void, timeoutMs: number): Promise<ExecuteReply> {
    const request = this.message('execute_request', {
      code,
      silent: false,
      store_history: true,
      user_expressions: {},
      allow_stdin: false,
      stop_on_error: true,
    });
    const id = request.header.msg_id;
    return new Promise<ExecuteReply>((resolve, reject) => {
      let reply: ExecuteReply | undefined;
      let idle = false;
      const finish = (error?: Error): void => {
        clearTimeout(timer);
        this.iopubListeners.delete(id);
        this.shellWaiters.delete(id);
        this.exitListeners.delete(onExit);
        if (error) reject(error);
        else resolve(reply as ExecuteReply);
      };
      const onExit = (): void => finish(new KernelDiedError(this.exited?.code ?? null, this.exited?.signal ?? null, this.output.toString()));
      const timer = setTimeout(() => {
        // tslab stops synchronous code on SIGINT; awaited work may keep running, so the caller
        // shuts the kernel down after a timeout anyway.
        this.child.kill('SIGINT');
        finish(new CellTimeoutError(timeoutMs / 1000));
      }, timeoutMs);
      this.iopubListeners.set(id, (message) => {
        if (message.header.msg_type === 'status' && message.content.execution_state === 'idle') {
          idle = true;
          if (reply) finish();
        } else {
          onIopub(message);
        }
      });
      this.shellWaiters.set(id, (message) => {
        reply = message.content as unknown as ExecuteReply;
        if (idle) finish();
      });
      this.exitListeners.add(onExit);
      if (this.exited) return onExit();
      void this.send(this.shell, request);
    });
  }

  /** Interrupts the running cell, as Jupyter's interrupt does: SIGINT to the kernel process. */
  interrupt(): void {
    if (!this.exited) this.child.kill('SIGINT');
  }

  /** Asks the kernel to exit, then makes sure it has; removes the connection file. */
  async shutdown(): Promise<void> {
    if (!this.exited) {
      await this.request('shutdown_request', { restart: false }, 2000);
      await new Promise<void>((resolve) => {
        if (this.exited) return resolve();
        const timer = setTimeout(() => {
          this.child.kill('SIGKILL');
          resolve();
        }, 3000);
        this.exitListeners.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    this.shell.close();
    this.iopub.close();
    rmSync(this.tempDir, { recursive: true, force: true });
  }

  private message(msgType: string, content: Record<string, unknown>): KernelMessage {
    return {
      header: {
        msg_id: randomUUID(),
        msg_type: msgType,
        session: this.session,
        username: 'iwlab',
        date: new Date().toISOString(),
        version: PROTOCOL_VERSION,
      },
      parent_header: {},
      metadata: {},
      content,
    };
  }

  private async send(socket: zmq.Dealer, message: KernelMessage): Promise<void> {
    const parts = [message.header, message.parent_header, message.metadata, message.content].map((part) => JSON.stringify(part));
    await socket.send([DELIMITER, this.sign(parts), ...parts]);
  }

  private sign(parts: (string | Buffer)[]): string {
    const hmac = createHmac('sha256', this.key);
    for (const part of parts) hmac.update(part);
    return hmac.digest('hex');
  }

  private async pump(socket: zmq.Dealer | zmq.Subscriber, handle: (message: KernelMessage) => void): Promise<void> {
    try {
      for await (const frames of socket) {
        const message = this.parse(frames);
        if (message) handle(message);
      }
    } catch {
      // The socket was closed by shutdown(); nothing more will arrive.
    }
  }

  /** Decodes [identities..., <IDS|MSG>, hmac, header, parent, metadata, content, buffers...]. */
  private parse(frames: Buffer[]): KernelMessage | undefined {
    const at = frames.findIndex((frame) => frame.toString('utf8') === DELIMITER);
    if (at < 0 || frames.length < at + 6) return undefined;
    const [signature, ...parts] = frames.slice(at + 1, at + 6) as [Buffer, Buffer, Buffer, Buffer, Buffer];
    if (this.sign(parts) !== signature.toString('utf8')) return undefined;
    const [header, parent, metadata, content] = parts.map((part) => JSON.parse(part.toString('utf8')) as Record<string, unknown>);
    return {
      header: header as unknown as MessageHeader,
      parent_header: parent as Partial<MessageHeader>,
      metadata: metadata ?? {},
      content: content ?? {},
    };
  }
}

/** Ports the OS reports free right now (the kernel binds them a moment later, as Jupyter does). */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    })),
  );
  const ports = servers.map((server) => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('Could not read a free TCP port from the OS.');
    return address.port;
  });
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}
