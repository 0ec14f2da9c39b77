// tidepool's Lambda runtime client for nodejs* functions.
//
// Started by tidepool as `node bootstrap.mjs` in the function's code directory with AWS's
// environment (_HANDLER, LAMBDA_TASK_ROOT, AWS_LAMBDA_RUNTIME_API, ...). Loads the handler module
// once, CommonJS (.js/.cjs) or ES module (.mjs, or .js under "type": "module"), through import();
// async handlers and callback handlers both work. An init failure is posted to /init/error and
// the process exits. Then: GET /next, run the handler, POST /response or /error.
// Handlers wrapped in awslambda.streamifyResponse stream their response (a chunked POST
// /response with Lambda-Runtime-Function-Response-Mode: streaming, errors in its trailers), as
// AWS's Node runtime does. Written for tidepool; speaks only the public Runtime API.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import util from 'node:util';
import { register } from 'node:module';
import { Writable } from 'node:stream';


const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const PREFIX = '/2018-06-01/runtime';

// One keep-alive HTTP/1.1 connection to the Runtime API, one request at a time; a reply's body is
// read by its Content-Length (the Runtime API always sends one). A few lines over a socket instead
// of node:http, whose per-request machinery costs a warm invoke about 100 us per request and
// whose import costs every cold start.
class Connection {
  constructor() {
    this.sock = null;
    this.chunks = [];
    this.buffered = 0;
    this.need = 0; // the whole reply's size once its head is read: no copying until it is here
    this.waiter = null;
  }

  open() {
    if (this.sock) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const sock = net.createConnection({ host, port: Number(port) }, () => resolve());
      sock.setNoDelay(true);
      sock.on('data', (chunk) => {
        this.chunks.push(chunk);
        this.buffered += chunk.length;
        this.pump();
      });
      const fail = (err) => {
        this.sock = null;
        const w = this.waiter;
        this.waiter = null;
        if (w) w.reject(err);
        else reject(err);
      };
      sock.on('error', fail);
      sock.on('close', () => fail(new Error('the Runtime API closed the connection')));
      this.sock = sock;
    });
  }

  // Resolves the waiting request once its whole reply is buffered.
  pump() {
    if (!this.waiter || this.buffered < this.need) return;
    const buf = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    this.chunks = [buf];
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const lines = buf.toString('latin1', 0, end).split('\r\n');
    const headers = {};
    for (let i = 1; i < lines.length; i++) {
      const colon = lines[i].indexOf(':');
      if (colon > 0) headers[lines[i].slice(0, colon).trim().toLowerCase()] = lines[i].slice(colon + 1).trim();
    }
    const length = Number(headers['content-length'] || 0);
    this.need = end + 4 + length;
    if (buf.length < this.need) return;
    this.need = 0;
    const body = buf.subarray(end + 4, end + 4 + length);
    const rest = buf.subarray(end + 4 + length);
    this.chunks = rest.length ? [rest] : [];
    this.buffered = rest.length;
    const w = this.waiter;
    this.waiter = null;
    w.resolve({ res: { statusCode: Number(lines[0].split(' ')[1]), headers }, body });
  }

  async request(method, p, body, headers = {}) {
    await this.open();
    const payload = body === undefined ? Buffer.alloc(0) : Buffer.from(body);
    let head = `${method} ${PREFIX}${p} HTTP/1.1\r\nHost: ${host}:${port}\r\nContent-Length: ${payload.length}\r\n`;
    for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.sock.write(payload.length ? Buffer.concat([Buffer.from(head + '\r\n', 'latin1'), payload]) : head + '\r\n');
    });
  }
}

// A request whose body is sent as it is produced (Transfer-Encoding: chunked); the head goes
// out with the first bytes. end() sends the last chunk (with `trailers`) and resolves with the
// reply.
class ChunkedRequest {
  constructor(conn, method, p, headers) {
    this.conn = conn;
    this.head = `${method} ${PREFIX}${p} HTTP/1.1\r\nHost: ${host}:${port}\r\nTransfer-Encoding: chunked\r\n`;
    this.headers = headers;
    this.started = false;
  }

  start() {
    if (this.started) return;
    this.started = true;
    let head = this.head;
    for (const [name, value] of Object.entries(this.headers)) head += `${name}: ${value}\r\n`;
    this.conn.sock.write(head + '\r\n');
  }

  write(chunk) {
    if (!chunk.length) return;
    this.start();
    this.conn.sock.write(`${chunk.length.toString(16)}\r\n`);
    this.conn.sock.write(chunk);
    this.conn.sock.write('\r\n');
  }

  end(trailers = {}) {
    this.start();
    let tail = '0\r\n';
    for (const [name, value] of Object.entries(trailers)) tail += `${name}: ${value}\r\n`;
    return new Promise((resolve, reject) => {
      this.conn.waiter = { resolve, reject };
      this.conn.sock.write(tail + '\r\n');
    });
  }
}

const connection = new Connection();

// awslambda.streamifyResponse and awslambda.HttpResponseStream, as AWS's Node runtime offers them
// to handler modules (a global, set before the handler's module loads).
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const PRELUDE_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';

// The responseStream a streaming handler writes to: a Writable whose bytes go to the runtime's
// chunked POST as they are written. setContentType works until the first byte.
class ResponseStream extends Writable {
  constructor(req, options = {}) {
    super({ highWaterMark: options.highWaterMark });
    this.req = req;
    this.beforeFirstWrite = null; // HttpResponseStream.from's prelude
  }

  setContentType(type) {
    if (this.req.started) throw new Error('the content type must be set before the first write');
    this.req.headers['Content-Type'] = type;
  }

  _first() {
    if (this.beforeFirstWrite) {
      const before = this.beforeFirstWrite;
      this.beforeFirstWrite = null;
      before((bytes) => this.req.write(Buffer.from(bytes)));
    }
  }

  _write(chunk, encoding, callback) {
    this._first();
    this.req.write(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, encoding));
    callback();
  }

  _final(callback) {
    this._first();
    callback();
  }
}

globalThis.awslambda = {
  streamifyResponse(handler, options) {
    handler[STREAMING] = { mode: 'response', options };
    return handler;
  },
  HttpResponseStream: class HttpResponseStream {
    static from(stream, prelude) {
      stream.setContentType(PRELUDE_CONTENT_TYPE);
      const json = JSON.stringify(prelude || {});
      stream.beforeFirstWrite = (write) => {
        write(json);
        write(new Uint8Array(8)); // eight zero bytes end the prelude
      };
      return stream;
    }
  },
};

// Runs a streaming handler (event, responseStream, context): the response is streamed to
// POST /response; an error before any byte went out is posted to /error, one after it in the
// POST's trailers.
async function runStreaming(handler, event, context, requestId) {
  const req = new ChunkedRequest(connection, 'POST', `/invocation/${requestId}/response`, {
    'Lambda-Runtime-Function-Response-Mode': 'streaming',
    'Content-Type': 'application/octet-stream',
    Trailer: 'Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body',
  });
  const stream = new ResponseStream(req, handler[STREAMING].options);
  const finished = new Promise((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
  });
  try {
    await handler(event, stream, context);
    if (!stream.writableEnded) stream.end();
    await finished;
    await req.end();
  } catch (e) {
    const err = errorJson(e);
    console.error(`Invoke Error \t${JSON.stringify(err)}`);
    if (!req.started) {
      await request('POST', `/invocation/${requestId}/error`, JSON.stringify(err), {
        'Lambda-Runtime-Function-Error-Type': 'Unhandled',
      });
      return;
    }
    await req.end({
      'Lambda-Runtime-Function-Error-Type': err.errorType,
      'Lambda-Runtime-Function-Error-Body': Buffer.from(JSON.stringify(err)).toString('base64'),
    });
  }
}

function request(method, p, body, headers = {}) {
  return connection.request(method, p, body, headers);
}

function errorJson(err, type) {
  const e = err instanceof Error ? err : new Error(String(err));
  return {
    errorType: type || e.name || 'Error',
    errorMessage: e.message,
    trace: (e.stack || '').split('\n'),
  };
}

async function failInit(err) {
  console.error(`${new Date().toISOString()}\tundefined\tERROR\t${err.errorType}: ${err.errorMessage}`);
  await request('POST', '/init/error', JSON.stringify(err), {
    'Lambda-Runtime-Function-Error-Type': err.errorType,
  });
  process.exit(1);
}

// Whether Node may load `file` as an ES module: .mjs; .js under a package.json whose "type" is
// "module" (the nearest package.json decides); or a .js without a "type" whose source has an
// import or export statement (Node's syntax detection). A false positive only costs time.
function isEsModule(file) {
  if (file.endsWith('.mjs')) return true;
  if (file.endsWith('.cjs')) return false;
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        const type = JSON.parse(fs.readFileSync(pkg, 'utf8')).type;
        if (type === 'module') return true;
        if (type === 'commonjs') return false;
      } catch {
        // an unreadable package.json: decide by the source
      }
      break;
    }
    if (path.dirname(dir) === dir) break;
  }
  try {
    return /^\s*(import|export)\s/m.test(fs.readFileSync(file, 'utf8'));
  } catch {
    return true;
  }
}

async function loadHandler() {
  const spec = process.env._HANDLER || '';
  const root = process.env.LAMBDA_TASK_ROOT || process.cwd();
  const dot = spec.lastIndexOf('.');
  if (dot < 0) {
    return failInit({ errorType: 'Runtime.MalformedHandlerName', errorMessage: `Bad handler ${spec}`, trace: [] });
  }
  const modulePath = spec.slice(0, dot);
  const handlerPath = spec.slice(dot + 1);
  let file = null;
  for (const ext of ['.js', '.mjs', '.cjs']) {
    const candidate = path.resolve(root, modulePath + ext);
    if (fs.existsSync(candidate)) { file = candidate; break; }
  }
  if (!file) {
    return failInit({
      errorType: 'Runtime.ImportModuleError',
      errorMessage: `Error: Cannot find module '${modulePath}'`,
      trace: [],
    });
  }
  // ES modules find the bundled AWS SDK for JS v3 too (sdk_resolve.mjs); CommonJS finds it
  // through NODE_PATH. Registering a hook starts Node's loader thread (about 60 ms), so only an
  // ES module handler pays for it.
  if (isEsModule(file)) register('./sdk_resolve.mjs', import.meta.url);
  let mod;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (e) {
    return failInit(errorJson(e, e instanceof SyntaxError ? 'Runtime.UserCodeSyntaxError' : 'Runtime.ImportModuleError'));
  }
  let fn = mod;
  for (const part of handlerPath.split('.')) fn = fn == null ? undefined : fn[part];
  if (typeof fn !== 'function' && mod.default) {
    fn = mod.default;
    for (const part of handlerPath.split('.')) fn = fn == null ? undefined : fn[part];
  }
  if (typeof fn !== 'function') {
    return failInit({
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: `${spec} is undefined or not exported`,
      trace: [],
    });
  }
  return fn;
}

// console.* as AWS's Node runtime writes it: "TIMESTAMP\tREQUEST_ID\tLEVEL\tmessage".
let currentRequestId = 'undefined';
function patchConsole() {
  for (const [name, level] of [['log', 'INFO'], ['info', 'INFO'], ['warn', 'WARN'], ['error', 'ERROR'], ['debug', 'DEBUG'], ['trace', 'TRACE']]) {
    console[name] = (...args) => {
      // Inner newlines become \r, as AWS's runtime writes them: one record is one log event.
      const text = util.format(...args).replace(/\n/g, '\r');
      const line = `${new Date().toISOString()}\t${currentRequestId}\t${level}\t${text}\n`;
      fs.writeSync(level === 'ERROR' || level === 'WARN' ? 2 : 1, line);
    };
  }
}

function runHandler(handler, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const callback = (err, result) => {
      if (settled) return;
      settled = true;
      if (err) reject(err); else resolve(result);
    };
    context.done = callback;
    context.succeed = (r) => callback(null, r);
    context.fail = (e) => callback(e);
    try {
      const out = handler(event, context, callback);
      if (out && typeof out.then === 'function') {
        out.then((r) => { if (!settled) { settled = true; resolve(r); } },
                 (e) => { if (!settled) { settled = true; reject(e); } });
      } else if (handler.length < 3 && !settled) {
        settled = true;
        resolve(out);
      }
    } catch (e) {
      if (!settled) { settled = true; reject(e); }
    }
  });
}

async function main() {
  patchConsole();
  const handler = await loadHandler();
  for (;;) {
    const { res, body } = await request('GET', '/invocation/next');
    const h = res.headers;
    const requestId = h['lambda-runtime-aws-request-id'];
    const deadline = Number(h['lambda-runtime-deadline-ms'] || 0);
    if (h['lambda-runtime-trace-id']) process.env._X_AMZN_TRACE_ID = h['lambda-runtime-trace-id'];
    currentRequestId = requestId;
    const context = {
      awsRequestId: requestId,
      invokedFunctionArn: h['lambda-runtime-invoked-function-arn'],
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
      memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
      clientContext: h['lambda-runtime-client-context'] ? JSON.parse(h['lambda-runtime-client-context']) : undefined,
      identity: h['lambda-runtime-cognito-identity'] ? JSON.parse(h['lambda-runtime-cognito-identity']) : undefined,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    let event;
    try {
      event = body.length ? JSON.parse(body.toString('utf8')) : {};
    } catch (e) {
      event = body.toString('utf8');
    }
    if (handler[STREAMING]) {
      await runStreaming(handler, event, context, requestId);
      continue;
    }
    try {
      const result = await runHandler(handler, event, context);
      const out = result === undefined ? 'null' : JSON.stringify(result);
      await request('POST', `/invocation/${requestId}/response`, out);
    } catch (e) {
      const err = errorJson(e);
      console.error(`Invoke Error \t${JSON.stringify(err)}`);
      await request('POST', `/invocation/${requestId}/error`, JSON.stringify(err), {
        'Lambda-Runtime-Function-Error-Type': 'Unhandled',
      });
    }
  }
}

main();
