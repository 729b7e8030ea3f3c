import { CronExpressionParser } from 'cron-parser';
import { parseInterval } from './duration.js';

/**
 * How long a schedule spec (`5m`, or a cron expression such as `0 3 * * *`) waits between runs, as
 * of `now`. A cron expression's gap can vary (`0 9 * * 1-5` waits 72 h over a weekend): the gap
 * between its two latest times at or before `now` is taken, which is the wait that just happened.
 * Cron times are read in the process's time zone, as BullMQ's job schedulers read them.
 * `undefined` when the spec is neither.
 */
export function scheduleIntervalMs(spec: string, now: Date): number | undefined {
  const every = parseInterval(spec);
  if (every !== undefined) return every;
  try {
    const times = CronExpressionParser.parse(spec, { currentDate: now });
    const last = times.prev().getTime();
    const before = times.prev().getTime();
    return last - before;
  } catch {
    return undefined;
  }
}

/** The shortest wait of a source's schedules (`delta`, `full`): any successful run counts as one. */
export function shortestScheduleMs(schedule: { delta?: string | undefined; full?: string | undefined } | undefined, now: Date): number | undefined {
  let shortest: number | undefined;
  for (const spec of [schedule?.delta, schedule?.full]) {
    const ms = spec === undefined ? undefined : scheduleIntervalMs(spec, now);
    if (ms !== undefined && (shortest === undefined || ms < shortest)) shortest = ms;
  }
  return shortest;
}
