import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { Config } from "../config.js";
import type { SecretBox } from "../crypto/secret-box.js";
import type { Db } from "../storage/db.js";
import { sendWebhook, type SendResult } from "./sender.js";
import { RESERVED_HEADER_NAMES, signatureHeaders } from "./signing.js";
import { claimWebhookDeliveries, findDeliveryPayload, recordDeliveryAttempt, type ClaimedDelivery } from "./webhook-deliveries.service.js";
import { activeSigningSecrets, findWebhookEndpoint } from "./webhooks.service.js";
import { findApp } from "./webhooks.storage.js";

/**
 * Delivers what the outbox holds. Each instance runs one dispatcher; on Postgres any number of
 * them share the queue, each due delivery claimed by exactly one (webhook-deliveries.storage.ts).
 * It wakes on a timer and right after this instance commits a write, keeps a bounded number of
 * requests in flight, and never runs on the request path: a slow receiver delays only itself.
 */
export interface Dispatcher {
  start(): void;
  /** Look for due deliveries now (called after a write commits). */
  wake(): void;
  /** Stops claiming and waits for the requests in flight. */
  stop(): Promise<void>;
}

export interface DispatcherOptions {
  db: Db;
  config: Config;
  secretBox: SecretBox;
  log: FastifyBaseLogger;
}

const MAX_IN_FLIGHT = 8;

const notSent = (error: string): SendResult => ({ succeeded: false, statusCode: null, durationMs: 0, responseBody: null, responseHeaders: null, error });

export function createDispatcher({ db, config, secretBox, log }: DispatcherOptions): Dispatcher {
  let running = false;
  let timer: NodeJS.Timeout | null = null;
  let ticking: Promise<void> | null = null;
  let tickAgain = false;
  const inFlight = new Set<Promise<void>>();

  const schedule = (delayMs: number) => {
    if (!running) return;
    if (ticking) {
      tickAgain = true;
      return;
    }
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      ticking = tick().finally(() => {
        ticking = null;
        const again = tickAgain;
        tickAgain = false;
        schedule(again ? 0 : config.webhookPollIntervalMs);
      });
    }, delayMs);
  };

  async function tick(): Promise<void> {
    const capacity = MAX_IN_FLIGHT - inFlight.size;
    if (capacity <= 0) return;
    let claimed: ClaimedDelivery[];
    try {
      claimed = await claimWebhookDeliveries(db, Date.now(), config.webhookLeaseMs, capacity);
    } catch (error) {
      log.warn({ err: error }, "webhook dispatcher: could not claim deliveries; retrying at the next poll");
      return;
    }
    for (const delivery of claimed) {
      const attempt = deliver(delivery)
        .catch((error) => log.error({ err: error, delivery: delivery.id }, "webhook dispatcher: attempt not recorded; the delivery is retried after its lease"))
        .finally(() => {
          inFlight.delete(attempt);
          schedule(0);
        });
      inFlight.add(attempt);
    }
    // A full batch means more may be due: look again at once rather than after the poll interval.
    if (claimed.length === capacity) tickAgain = true;
  }

  async function deliver(delivery: ClaimedDelivery): Promise<void> {
    const { deploymentId } = delivery;
    const [endpoint, app, payload] = await Promise.all([
      findWebhookEndpoint(db, deploymentId, delivery.endpointId),
      findApp(db, deploymentId, delivery.appId),
      findDeliveryPayload(db, delivery),
    ]);
    const policy = { retryScheduleMs: config.webhookRetryScheduleMs, disableAfterMs: config.webhookDisableAfterMs };
    if (!endpoint || !app || payload === null || !endpoint.isActive || endpoint.autoDisabled || !app.isActive) {
      await recordDeliveryAttempt(db, delivery, notSent("endpoint or app disabled"), { ...policy, nowMs: Date.now(), endpointDisabled: true });
      return;
    }
    const now = Date.now();
    const secrets = await activeSigningSecrets(db, deploymentId, secretBox, app.id, now);
    const customHeaders = Object.fromEntries(Object.entries(endpoint.headers).filter(([name]) => !RESERVED_HEADER_NAMES.has(name.toLowerCase())));
    // webhook-id is the delivery's id: the same on every attempt and replay, so receivers can drop duplicates.
    const result = await sendWebhook({
      url: endpoint.url,
      headers: { ...customHeaders, ...signatureHeaders(secrets, delivery.id, Math.floor(now / 1000), payload) },
      body: payload,
      timeoutMs: endpoint.timeoutSeconds * 1000,
      allowPrivateNetworks: config.webhookAllowPrivateNetworks,
    });
    const outcome = await recordDeliveryAttempt(db, delivery, result, { ...policy, nowMs: Date.now() });
    if (!result.succeeded)
      log.info(
        { delivery: delivery.id, endpoint: endpoint.id, status: result.statusCode, error: result.error, next: outcome.status },
        "webhook attempt failed",
      );
    if (outcome.endpointDisabled) log.warn({ endpoint: endpoint.id }, "webhook endpoint disabled after failing for too long; reactivate it to resume");
  }

  return {
    start() {
      if (running) return;
      running = true;
      schedule(0);
    },
    wake() {
      schedule(0);
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = null;
      await ticking;
      await Promise.allSettled([...inFlight]);
    },
  };
}

declare module "fastify" {
  interface FastifyInstance {
    webhookDispatcher: Dispatcher;
  }
}

/** Runs the dispatcher with the app: started when it is ready, stopped when it closes, woken after each write it answers. */
export const webhookDispatcher = fp(
  async (app: FastifyInstance) => {
    const dispatcher = createDispatcher({ db: app.db, config: app.config, secretBox: app.secretBox, log: app.log });
    app.decorate("webhookDispatcher", dispatcher);
    if (!app.config.webhookDispatcherEnabled) return;
    app.addHook("onReady", async () => dispatcher.start());
    app.addHook("onClose", async () => dispatcher.stop());
    app.addHook("onResponse", (request, reply, done) => {
      // The answer is sent, so the write's transaction has committed: its deliveries are visible now.
      if (request.method !== "GET" && request.method !== "HEAD" && reply.statusCode < 400) dispatcher.wake();
      done();
    });
  },
  { name: "webhook-dispatcher" },
);
