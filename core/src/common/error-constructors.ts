/**
 * The built-in Error classes by name, for codecs that revive errors the way structured clone does (a
 * standard name comes back as its class, anything else as a plain Error).
 */
export const errorConstructors: Readonly<Record<string, ErrorConstructor>> = {
  Error,
  EvalError,
  RangeError,
  ReferenceError,
  SyntaxError,
  TypeError,
  URIError,
}
