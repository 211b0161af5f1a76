/**
 * The venue's form of Order and Match Numbers (K11): the trading date `YYYYMMDD` followed by
 * a ten-digit counter from 1, e.g. `202611280000000001`.
 *
 * @module
 */

/** The largest counter: ten digits. */
export const MAX_COUNTER = 9_999_999_999;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Checks a trading date and returns the number every Order and Match Number of the day
 * starts from: the date times 10^10 (counter 0).
 *
 * @param tradingDate `YYYYMMDD`: 8 digits, a real date of the Gregorian calendar, year 1 on.
 * @returns The date times 10^10, as a bigint.
 * @throws {TypeError} If `tradingDate` is not a string.
 * @throws {RangeError} If it is not 8 digits or not a real date.
 */
export function numberBase(tradingDate: string): bigint {
  if (typeof tradingDate !== "string") {
    throw new TypeError(
      `Cannot create matcher as tradingDate must be a string "YYYYMMDD": current value is ${tradingDate}`,
    );
  }
  if (!/^\d{8}$/.test(tradingDate)) {
    throw new RangeError(
      `Cannot create matcher as tradingDate must be 8 digits "YYYYMMDD": current value is "${tradingDate}"`,
    );
  }
  const year = Number(tradingDate.slice(0, 4));
  const month = Number(tradingDate.slice(4, 6));
  const day = Number(tradingDate.slice(6, 8));
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1] ?? 0;
  if (year < 1 || day < 1 || day > days) {
    throw new RangeError(
      `Cannot create matcher as tradingDate must be a real date: current value is "${tradingDate}"`,
    );
  }
  return BigInt(tradingDate) * 10_000_000_000n;
}
