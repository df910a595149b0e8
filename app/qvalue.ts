// RFC 9110 §12.4.2: weight = OWS ";" OWS "q=" qvalue, a qvalue from 0 to 1 with at most three decimals.
const QVALUE = /^\s*q=(0(\.\d{0,3})?|1(\.0{0,3})?)\s*$/i;
const Q_PARAM = /^\s*q=/i;

/**
 * The weight of one element of an Accept-style header, from the parameters after its range: 1 when there is no
 * `q`, undefined when the `q` is malformed (the element is then ignored, as if the client had not sent it).
 *
 * @example
 * weightOf([' q=0.8'])   // 0.8
 * weightOf(['q=high'])   // undefined
 */
export function weightOf(params: readonly string[]): number | undefined {
  const q = params.find((p) => Q_PARAM.test(p));
  if (q === undefined) return 1;
  const match = QVALUE.exec(q);
  return match === null ? undefined : Number(match[1]);
}
