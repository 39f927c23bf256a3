/**
 * Exact fractions for execution segments. k6 reads segment points as big.Rat (fractions,
 * decimals) or whole-number percentages; numbers here stay small, so integers are exact.
 */
import { InvalidOptionError } from '../errors.ts'

export interface Fraction {
  readonly num: number
  readonly den: number
}

export function fraction(num: number, den: number): Fraction {
  const g = gcd(Math.abs(num), Math.abs(den)) || 1
  const sign = den < 0 ? -1 : 1
  return { num: (sign * num) / g, den: (sign * den) / g }
}

/** `1/4`, `0.25`, `25%`, `1` → a fraction; anything else names the option and the forms. */
export function parseFraction(text: string, option: string): Fraction {
  const t = text.trim()
  const percent = /^(\d+)%$/.exec(t)
  if (percent) return fraction(Number(percent[1]), 100)
  const ratio = /^(\d+)\/(\d+)$/.exec(t)
  if (ratio && Number(ratio[2]) > 0) return fraction(Number(ratio[1]), Number(ratio[2]))
  const decimal = /^(\d+)(?:\.(\d+))?$/.exec(t)
  if (decimal) {
    const digits = decimal[2] ?? ''
    const den = 10 ** digits.length
    if (Number.isSafeInteger(den)) return fraction(Number(decimal[1]) * den + Number(digits || 0), den)
  }
  throw new InvalidOptionError(option, `${option}: ${JSON.stringify(text)} is not a fraction, decimal or whole percentage; use e.g. 1/4, 0.25 or 25%`)
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b]
  return a
}
