import { logger } from '../logger.js';

export type Level = 'ok' | 'warning' | 'critical' | 'exceeded';

/** The numeric level the `costctl_budget_level` gauge shows. */
export const levelValue: Record<Level, number> = { ok: 0, warning: 1, critical: 2, exceeded: 3 };

/** One rule moving between levels: what `onAlert`, the log line and the webhook receive. */
export interface BudgetAlert {
  rule: string;
  level: Level;
  previous: Level;
  /** Committed spend in the current window, in the rule's unit. */
  spent: number;
  limit: number;
  unit: string;
  window: string;
  action: string;
  time: string;
}

export type AlertHook = (alert: BudgetAlert) => void;

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

  constructor(options: { onAlert?: AlertHook; webhook?: string }) {
    this.#hook = options.onAlert;
    this.#webhook = options.webhook;
  }

  fire(alert: BudgetAlert): void {
    const log = alert.level === 'ok' ? logger.info : alert.level === 'warning' ? logger.warn : logger.error;
    log(`costctl budget ${alert.rule} is ${alert.level}`, { ...alert });
    try {
      this.#hook?.(alert);
    } catch (error) {
      logger.error('costctl onAlert hook threw', { rule: alert.rule, error: String(error) });
    }
    if (this.#webhook !== undefined) void this.#post(this.#webhook, alert);
  }

  async #post(url: string, alert: BudgetAlert): Promise<void> {
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
    logger.warn('costctl could not deliver an alert to COSTCTL_ALERT_WEBHOOK', { rule: alert.rule, level: alert.level });
  }
}
