/**
 * Exponential variates by the ziggurat method: Marsaglia & Tsang, "The Ziggurat Method for Generating
 * Random Variables", Journal of Statistical Software 5(8), 2000 (their REXP/efix, 256 layers).
 *
 * Why not inverse transform (−ln(1 − u))? Math.log is a call into C++ on every draw; here 98.9% of draws
 * are one 32-bit uniform, a table lookup, a compare and a multiply, which halves the cost of an exponential
 * draw and takes ~18% off an event-bound model such as M/M/c (bench/mmc.ts). The result is exact: the
 * rejection steps make the output Exp(1), checked by Kolmogorov–Smirnov, χ² and tail tests in
 * test/engine/random.test.ts.
 *
 * The common path (one uniform, a lookup in ZIG_KE/ZIG_WE) is written out in RandomStream.exponential,
 * where V8 inlines it into the model's handler; this file holds the tables and the rare path.
 *
 * The uniform source is the stream's own (seedrandom's Alea, 32 bits per call), so draws stay
 * deterministic and identical on every machine.
 */

const LAYERS = 256;
export const LAYER_MASK = LAYERS - 1;
export const TWO32 = 4294967296;
/** Where the tail begins (the paper's de) and the common area of each layer (ve). */
const R = 7.697117470131487;
const V = 3.949659822581572e-3;

/** KE[i]: accept layer i's candidate at once when the 32-bit draw is below it; WE[i]: its x per unit of draw. */
export const ZIG_KE = new Uint32Array(LAYERS);
export const ZIG_WE = new Float64Array(LAYERS);
/** fe[i] = exp(−x_i): the density at layer i's right edge (for the wedge test). */
const fe = new Float64Array(LAYERS);

// The paper's zigset, exponential part.
{
  let de = R;
  let te = R;
  const q = V / Math.exp(-de);
  ZIG_KE[0] = (de / q) * TWO32;
  ZIG_KE[1] = 0;
  ZIG_WE[0] = q / TWO32;
  ZIG_WE[LAYERS - 1] = de / TWO32;
  fe[0] = 1;
  fe[LAYERS - 1] = Math.exp(-de);
  for (let i = LAYERS - 2; i >= 1; i--) {
    de = -Math.log(V / de + Math.exp(-de));
    ZIG_KE[i + 1] = (de / te) * TWO32;
    te = de;
    fe[i] = Math.exp(-de);
    ZIG_WE[i] = de / TWO32;
  }
}

/** A uniform source in [0, 1) with 32 bits of resolution (seedrandom's PRNG call). */
export type Uniform32 = () => number;

/** The rare path (≈1.1% of draws): the tail beyond R, or a point in a layer's wedge to accept or redraw. */
export function exponentialSlow(u: Uniform32, jz: number, iz: number): number {
  for (;;) {
    // Tail: memoryless, so R plus a fresh Exp(1) (1 − u avoids log(0)).
    if (iz === 0) return R - Math.log(1 - u());
    const x = jz * ZIG_WE[iz]!;
    if (fe[iz]! + u() * (fe[iz - 1]! - fe[iz]!) < Math.exp(-x)) return x;
    jz = (u() * TWO32) >>> 0;
    iz = jz & LAYER_MASK;
    if (jz < ZIG_KE[iz]!) return jz * ZIG_WE[iz]!;
  }
}
