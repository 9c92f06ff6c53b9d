/**
 * The `cib-last-written` timestamp in Pacemaker's spelling (ctime's "%a %b %e %H:%M:%S %Y", e.g.
 * `Sat Nov 28 08:07:00 2026`). The core has no time zone, so the time is written in UTC, which
 * Pacemaker reads back the same way (it only displays the attribute).
 */

const WEEKDAYS = ['Thu', 'Fri', 'Sat', 'Sun', 'Mon', 'Tue', 'Wed'] as const; // 1970-01-01 was a Thursday
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** `seconds` since the Unix epoch (fractions dropped) as ctime text in UTC. */
export function formatCibTimestamp(seconds: number): string {
  const total = Math.floor(seconds);
  const days = Math.floor(total / 86_400);
  const secondOfDay = total - days * 86_400;
  const { year, month, day } = civilFromDays(days);
  const weekday = WEEKDAYS[((days % 7) + 7) % 7] ?? '';
  const two = (n: number): string => String(n).padStart(2, '0');
  const time = `${two(Math.floor(secondOfDay / 3600))}:${two(Math.floor((secondOfDay % 3600) / 60))}:${two(secondOfDay % 60)}`;
  return `${weekday} ${MONTHS[month - 1] ?? ''} ${String(day).padStart(2, ' ')} ${time} ${year}`;
}

/** Days since 1970-01-01 → proleptic Gregorian date (Howard Hinnant's civil_from_days). */
function civilFromDays(daysSinceEpoch: number): { year: number; month: number; day: number } {
  const z = daysSinceEpoch + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}
