/** A rule's level, as alerts name it. */
export type Level = 'ok' | 'warning' | 'critical' | 'exceeded';

/** The numeric level the `costctl_budget_level` gauge shows. */
export const levelValue: Record<Level, number> = { ok: 0, warning: 1, critical: 2, exceeded: 3 };
