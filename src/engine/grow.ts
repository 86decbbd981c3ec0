type TypedArray = Float64Array | Int32Array | Uint32Array | Uint8Array | Int8Array;

/** Copy `from` into the front of the larger (already filled) array `to` and return `to`. */
export function grow<T extends TypedArray>(from: T, to: T): T {
  to.set(from);
  return to;
}
