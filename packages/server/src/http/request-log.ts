import { randomUUID } from "node:crypto";
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { Bindings, ChildLoggerOptions, Logger, LoggerOptions } from "pino";

/** Paths that must never reach a log line. Bodies are never logged, but errors can carry them. */
export const loggerOptions = (level: string): LoggerOptions => ({
  level,
  redact: {
    paths: [
      "req.headers.authorization",
      "req.headers.cookie",
      "headers.authorization",
      "headers.cookie",
      "*.password",
      "*.new_password",
      "*.apiKey",
      "*.api_key",
      "*.secret",
      "*.token",
    ],
    censor: "[redacted]",
  },
});

// Client-sent request ids are not trusted: they would let anyone forge log correlation.
export const generateRequestId = () => randomUUID();

/** One JSON line per request, written when the answer is sent, with the request id also returned as x-request-id. */
export const requestLog = fp(
  async (app: FastifyInstance) => {
    // Hooks that do not wait take Fastify's callback form: no promise and microtask per request.
    app.addHook("onRequest", (request, reply, done) => {
      reply.header("x-request-id", request.id);
      done();
    });
    app.addHook("onResponse", (request, reply, done) => {
      request.log.info(
        {
          method: request.method,
          path: request.url.split("?")[0],
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime * 10) / 10,
          deployment: request.deploymentId || undefined,
        },
        "request",
      );
      done();
    });
  },
  { name: "request-log" },
);

type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace";

/** pino's logger answers isLevelEnabled; Fastify's stand-in when logging is off does not (and writes nothing). */
type ParentLogger = FastifyBaseLogger & Partial<Pick<Logger, "isLevelEnabled">>;

/**
 * A request's logger that becomes pino's child logger only when the request logs at an enabled
 * level. Fastify makes a child per request, and pino serializes its bindings (the request id,
 * through the redaction paths) at once: 2% of a read's CPU at the default level, where most
 * requests write no line (bench/README.md).
 */
class RequestLogger {
  #child: FastifyBaseLogger | undefined;
  constructor(
    private readonly parent: ParentLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}
  get level() {
    return this.#child?.level ?? this.parent.level;
  }
  set level(level: string) {
    this.#logger().level = level;
  }
  #logger(): FastifyBaseLogger {
    return (this.#child ??= this.parent.child(this.bindings, this.options));
  }
  #write(level: LogLevel, args: unknown[]) {
    if (!this.#child && this.parent.isLevelEnabled?.(level) === false) return;
    (this.#logger()[level] as (...values: unknown[]) => void)(...args);
  }
  fatal(...args: unknown[]) {
    this.#write("fatal", args);
  }
  error(...args: unknown[]) {
    this.#write("error", args);
  }
  warn(...args: unknown[]) {
    this.#write("warn", args);
  }
  info(...args: unknown[]) {
    this.#write("info", args);
  }
  debug(...args: unknown[]) {
    this.#write("debug", args);
  }
  trace(...args: unknown[]) {
    this.#write("trace", args);
  }
  silent() {}
  child(bindings: Bindings, options?: ChildLoggerOptions) {
    return this.#logger().child(bindings, options);
  }
  isLevelEnabled(level: string) {
    return this.parent.isLevelEnabled?.(level) ?? false;
  }
}

/** Fastify's childLoggerFactory: see RequestLogger. */
export function lazyRequestLogger(logger: ParentLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  // A route with its own log level decides what is enabled itself: such a child is made at once.
  if (options.level !== undefined) return logger.child(bindings, options);
  return new RequestLogger(logger, bindings, options) as unknown as FastifyBaseLogger;
}
