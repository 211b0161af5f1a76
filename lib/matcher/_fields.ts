/**
 * Validation of the one-byte enumerations of Enter Order, and their packing into one
 * small integer per resting order (so that a resting order stays a small object).
 *
 * @module
 */

/** Bit layout of the packed attributes of a resting order. */
const SIDE_SHIFT = 0; // 2 bits: B S T E
const DISPLAY_SHIFT = 2; // 1 bit: ' ' P
const CAPACITY_SHIFT = 3; // 1 bit: A P
const CLASSIFICATION_SHIFT = 4; // 3 bits: 1 3 4 5 6
const CASH_MARGIN_SHIFT = 7; // 3 bits: 1 2 3 4 5
const GROUP_SHIFT = 10; // 2 bits: DAY NGHT DAYX DAYU

const SIDE_VALUES = ["B", "S", "T", "E"] as const;
const DISPLAY_VALUES = [" ", "P"] as const;
const CAPACITY_VALUES = ["A", "P"] as const;
const CLASSIFICATION_VALUES = ["1", "3", "4", "5", "6"] as const;
const CASH_MARGIN_VALUES = ["1", "2", "3", "4", "5"] as const;
const GROUP_VALUES = ["DAY", "NGHT", "DAYX", "DAYU"] as const;

/** Code of a Buy/Sell Indicator, `-1` if invalid. `0` is buy. */
export function sideCode(value: string): number {
  switch (value) {
    case "B":
      return 0;
    case "S":
      return 1;
    case "T":
      return 2;
    case "E":
      return 3;
    default:
      return -1;
  }
}

/** Code of a Display, `-1` if invalid. `1` is post-only. */
export function displayCode(value: string): number {
  return value === " " ? 0 : value === "P" ? 1 : -1;
}

/** Code of a Capacity, `-1` if invalid. */
export function capacityCode(value: string): number {
  return value === "A" ? 0 : value === "P" ? 1 : -1;
}

/** Code of an Order Classification, `-1` if invalid. */
export function classificationCode(value: string): number {
  switch (value) {
    case "1":
      return 0;
    case "3":
      return 1;
    case "4":
      return 2;
    case "5":
      return 3;
    case "6":
      return 4;
    default:
      return -1;
  }
}

/** Code of a Cash Margin Type, `-1` if invalid. */
export function cashMarginCode(value: string): number {
  switch (value) {
    case "1":
      return 0;
    case "2":
      return 1;
    case "3":
      return 2;
    case "4":
      return 3;
    case "5":
      return 4;
    default:
      return -1;
  }
}

/** Code of a Group (without padding), `-1` if invalid. */
export function groupCode(value: string): number {
  switch (value) {
    case "DAY":
      return 0;
    case "NGHT":
      return 1;
    case "DAYX":
      return 2;
    case "DAYU":
      return 3;
    default:
      return -1;
  }
}

/** Packs valid codes into one small integer. */
export function packAttributes(
  side: number,
  display: number,
  capacity: number,
  classification: number,
  cashMargin: number,
  group: number,
): number {
  return (side << SIDE_SHIFT) | (display << DISPLAY_SHIFT) |
    (capacity << CAPACITY_SHIFT) | (classification << CLASSIFICATION_SHIFT) |
    (cashMargin << CASH_MARGIN_SHIFT) | (group << GROUP_SHIFT);
}

/** Replaces the display code of packed attributes. */
export function withDisplay(attributes: number, display: number): number {
  return (attributes & ~(1 << DISPLAY_SHIFT)) | (display << DISPLAY_SHIFT);
}

/** The side code (see {@linkcode sideCode}) of packed attributes. */
export function sideCodeOf(attributes: number): number {
  return (attributes >>> SIDE_SHIFT) & 3;
}

/** The Buy/Sell Indicator of packed attributes. */
export function sideOf(attributes: number): string {
  return SIDE_VALUES[(attributes >>> SIDE_SHIFT) & 3]!;
}

/** The Display of packed attributes. */
export function displayOf(attributes: number): string {
  return DISPLAY_VALUES[(attributes >>> DISPLAY_SHIFT) & 1]!;
}

/** The Capacity of packed attributes. */
export function capacityOf(attributes: number): string {
  return CAPACITY_VALUES[(attributes >>> CAPACITY_SHIFT) & 1]!;
}

/** The Order Classification of packed attributes. */
export function classificationOf(attributes: number): string {
  return CLASSIFICATION_VALUES[(attributes >>> CLASSIFICATION_SHIFT) & 7]!;
}

/** The Cash Margin Type of packed attributes. */
export function cashMarginOf(attributes: number): string {
  return CASH_MARGIN_VALUES[(attributes >>> CASH_MARGIN_SHIFT) & 7]!;
}

/** The Group of packed attributes. */
export function groupOf(attributes: number): string {
  return GROUP_VALUES[(attributes >>> GROUP_SHIFT) & 3]!;
}
