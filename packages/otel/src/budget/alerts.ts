import { hostname } from 'node:os';
import type { Level } from '../model/level.js';
import { logger } from '../model/logger.js';

/** One rule moving between levels: what `onAlert`, the log line and the webhook receive. */
export interface BudgetAlert {
  kind: 'budget';
  rule: string;
  level: Level;
  previous: Level;
  /** Committed spend in the current window, in the rule's unit. */
  spent: number;
  limit: number;
  unit: string;
  window: string;
  action: string;
  /** True when the rule is exceeded because it refuses calls whose reservation would pass its limit, spend still below it. */
  refusing: boolean;
  time: string;
}

/** The emergency gate changing: what `onAlert`, the log line and the webhook receive. */
export interface GateAlert {
  kind: 'gate';
  /**
   * `trip` / `reset`: the gate every process shares changed (announced by one
   * process of the fleet). `fail_closed` / `recovered`: this process could not
   * use its store and blocks calls, or can again (announced by that process).
   */
  change: 'trip' | 'reset' | 'fail_closed' | 'recovered';
  /** The gate's new state. */
  tripped: boolean;
  reason: string | undefined;
  /** Who changed it: an operator, `rule:<name>`, or `costctl` for a store that cannot be used. */
  actor: string | undefined;
  /** When the gate took this state, ISO 8601. */
  since: string | undefined;
  /** The process announcing it. */
  host: string;
  pid: number;
  time: string;
}

/** Anything costctl announces; `kind` tells them apart. */
export type CostctlAlert = BudgetAlert | GateAlert;

export type AlertHook = (alert: CostctlAlert) => void;

const WEBHOOK_ATTEMPTS = 3;
const WEBHOOK_TIMEOUT_MS = 5_000;

/**
 * Delivers each alert once to every channel: the app's `onAlert` hook, a
 * structured log line, and the webhook (a JSON POST, retried a bounded
 * number of times in the background). Nothing here can block or fail a call.
 */
export class AlertDispatcher {
  readonly #hook: AlertHook | undefined;
  readonly #webhook: string | undefined;

  constructor(options: { onAlert?: AlertHook | undefined; webhook?: string | undefined }) {
    this.#hook = options.onAlert;
    this.#webhook = options.webhook;
  }

  fire(alert: CostctlAlert): void {
    logAlert(alert);
    try {
      this.#hook?.(alert);
    } catch (error) {
      logger.error('costctl onAlert hook threw', { kind: alert.kind, error: String(error) });
    }
    if (this.#webhook !== undefined) void this.#post(this.#webhook, alert);
  }

  async #post(url: string, alert: CostctlAlert): Promise<void> {
    for (let attempt = 1; attempt <= WEBHOOK_ATTEMPTS; attempt++) {
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(alert),
          signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
        });
        await response.arrayBuffer();
        if (response.ok) return;
        if (response.status < 500 && response.status !== 429) break;
      } catch {
        // Retried below; the last failure is logged.
      }
      if (attempt < WEBHOOK_ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt).unref());
    }
    logger.warn(
      'costctl could not deliver an alert to COSTCTL_ALERT_WEBHOOK',
      alert.kind === 'budget' ? { kind: 'budget', rule: alert.rule, budgetLevel: alert.level } : { kind: 'gate', change: alert.change },
    );
  }
}

/** A gate alert about this process, now. */
export function gateAlert(
  change: GateAlert['change'],
  state: { tripped: boolean; reason: string | undefined; actor: string | undefined; since: number | undefined },
): GateAlert {
  const { tripped, reason, actor, since } = state;
  return {
    kind: 'gate',
    change,
    tripped,
    reason,
    actor,
    since: since === undefined ? undefined : new Date(since).toISOString(),
    host: hostname(),
    pid: process.pid,
    time: new Date().toISOString(),
  };
}

const gateWords: Record<GateAlert['change'], string> = {
  trip: 'tripped',
  reset: 'reset',
  fail_closed: 'failed closed in this process',
  recovered: 'open again in this process',
};

/** The log line of an alert: the log's own `level` stays the line's severity; the budget's level has its own field. */
function logAlert(alert: CostctlAlert): void {
  if (alert.kind === 'gate') {
    const log = alert.tripped ? logger.error : logger.warn;
    const { kind, change, tripped, reason, actor, since } = alert;
    log(`costctl gate ${gateWords[change]} (${actor ?? 'unknown'}: ${reason ?? 'no reason given'})`, {
      kind,
      change,
      tripped,
      reason,
      actor,
      since,
    });
    return;
  }
  const log = alert.level === 'ok' ? logger.info : alert.level === 'warning' ? logger.warn : logger.error;
  const { kind, rule, level, previous, spent, limit, unit, window, action, refusing, time } = alert;
  log(`costctl budget ${rule} is ${level}`, {
    kind,
    rule,
    budgetLevel: level,
    previousLevel: previous,
    spent,
    limit,
    unit,
    window,
    action,
    refusing,
    alertTime: time,
  });
}
