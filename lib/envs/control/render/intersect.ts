/**
 * Ray–primitive intersection for the renderer, in the primitive's own frame (MuJoCo's geom conventions):
 * closed-form roots for spheres, ellipsoids (scaled to a unit sphere), capsules (side + end spheres) and
 * cylinders (side + end discs), the slab method for boxes, and a one-sided finite plane.
 */

/** MuJoCo's mjtGeom codes for the primitives drawn here. */
export const GEOM = { plane: 0, sphere: 2, capsule: 3, ellipsoid: 4, cylinder: 5, box: 6 } as const;

/** Hits closer than this (in units of the ray direction) are ignored: the ray starts on or inside a surface. */
const T_MIN = 1e-6;

/** The local normal of the last hit found by intersect() (not normalised). */
export const HIT_NORMAL = new Float64Array(3);

/**
 * Nearest t > T_MIN at which the ray lo + t·d meets a primitive centred at the origin of its own frame, or
 * Infinity. Sizes follow MuJoCo: plane (x half, y half; 0 = infinite; seen from +z only), sphere (r),
 * capsule and cylinder (r, half-length along z), ellipsoid (semi-axes), box (half-sizes).
 */
export function intersect(
  type: number,
  s0: number,
  s1: number,
  s2: number,
  lox: number,
  loy: number,
  loz: number,
  dx: number,
  dy: number,
  dz: number,
): number {
  let t = Infinity;
  let nx = 0,
    ny = 0,
    nz = 0;
  switch (type) {
    case GEOM.plane: {
      if (dz >= 0 || loz <= 0) break;
      const tt = -loz / dz;
      const hx = lox + tt * dx,
        hy = loy + tt * dy;
      if ((s0 > 0 && (hx > s0 || hx < -s0)) || (s1 > 0 && (hy > s1 || hy < -s1))) break;
      t = tt;
      nz = 1;
      break;
    }
    case GEOM.sphere:
    case GEOM.ellipsoid: {
      // ellipsoids become unit spheres after scaling
      const ell = type === GEOM.ellipsoid;
      const isx = ell ? 1 / s0 : 1,
        isy = ell ? 1 / s1 : 1,
        isz = ell ? 1 / s2 : 1;
      const sr2 = ell ? 1 : s0 * s0;
      const lox2 = lox * isx,
        loy2 = loy * isy,
        loz2 = loz * isz;
      const oo = lox2 * lox2 + loy2 * loy2 + loz2 * loz2;
      const ex2 = dx * isx,
        ey2 = dy * isy,
        ez2 = dz * isz;
      const a = ex2 * ex2 + ey2 * ey2 + ez2 * ez2;
      const b = lox2 * ex2 + loy2 * ey2 + loz2 * ez2;
      const disc = b * b - a * (oo - sr2);
      if (disc < 0) break;
      const tt = (-b - Math.sqrt(disc)) / a;
      if (tt <= T_MIN) break;
      t = tt;
      // gradient of the implicit surface (scaled twice for ellipsoids)
      nx = (lox2 + tt * ex2) * isx;
      ny = (loy2 + tt * ey2) * isy;
      nz = (loz2 + tt * ez2) * isz;
      break;
    }
    case GEOM.capsule:
    case GEOM.cylinder: {
      const oxy = lox * lox + loy * loy - s0 * s0;
      const a = dx * dx + dy * dy;
      const b = lox * dx + loy * dy;
      let zHit = 0;
      if (a > 1e-18) {
        const disc = b * b - a * oxy;
        if (disc < 0) break;
        const tt = (-b - Math.sqrt(disc)) / a;
        zHit = loz + tt * dz;
        if (zHit <= s1 && zHit >= -s1) {
          if (tt <= T_MIN) break;
          t = tt;
          nx = lox + tt * dx;
          ny = loy + tt * dy;
          break;
        }
      } else {
        if (oxy > 0) break;
        zHit = loz; // parallel to the axis and inside the radius: hits whichever end faces it
      }
      const top = zHit > s1 || (a <= 1e-18 && dz < 0);
      const cz0 = top ? s1 : -s1;
      if (type === GEOM.capsule) {
        const wz = loz - cz0;
        const bb = lox * dx + loy * dy + wz * dz;
        const aa = a + dz * dz;
        const disc = bb * bb - aa * (lox * lox + loy * loy + wz * wz - s0 * s0);
        if (disc < 0) break;
        const tt = (-bb - Math.sqrt(disc)) / aa;
        if (tt <= T_MIN) break;
        t = tt;
        nx = lox + tt * dx;
        ny = loy + tt * dy;
        nz = wz + tt * dz;
      } else {
        if (dz === 0) break;
        const tt = (cz0 - loz) / dz;
        if (tt <= T_MIN) break;
        const hx = lox + tt * dx,
          hy = loy + tt * dy;
        if (hx * hx + hy * hy > s0 * s0) break;
        t = tt;
        nz = top ? 1 : -1;
      }
      break;
    }
    case GEOM.box: {
      let tn = -Infinity,
        tf = Infinity,
        axis = 0,
        sgn = 0;
      // slab x
      if (dx !== 0) {
        const inv = 1 / dx;
        let ta = (-s0 - lox) * inv,
          tb = (s0 - lox) * inv;
        let sg = -1;
        if (ta > tb) {
          const tmp = ta;
          ta = tb;
          tb = tmp;
          sg = 1;
        }
        if (ta > tn) {
          tn = ta;
          axis = 0;
          sgn = sg;
        }
        if (tb < tf) tf = tb;
      } else if (lox > s0 || lox < -s0) break;
      if (dy !== 0) {
        const inv = 1 / dy;
        let ta = (-s1 - loy) * inv,
          tb = (s1 - loy) * inv;
        let sg = -1;
        if (ta > tb) {
          const tmp = ta;
          ta = tb;
          tb = tmp;
          sg = 1;
        }
        if (ta > tn) {
          tn = ta;
          axis = 1;
          sgn = sg;
        }
        if (tb < tf) tf = tb;
      } else if (loy > s1 || loy < -s1) break;
      if (dz !== 0) {
        const inv = 1 / dz;
        let ta = (-s2 - loz) * inv,
          tb = (s2 - loz) * inv;
        let sg = -1;
        if (ta > tb) {
          const tmp = ta;
          ta = tb;
          tb = tmp;
          sg = 1;
        }
        if (ta > tn) {
          tn = ta;
          axis = 2;
          sgn = sg;
        }
        if (tb < tf) tf = tb;
      } else if (loz > s2 || loz < -s2) break;
      if (tn > tf || tn <= T_MIN) break;
      t = tn;
      if (axis === 0) nx = sgn;
      else if (axis === 1) ny = sgn;
      else nz = sgn;
      break;
    }
  }
  HIT_NORMAL[0] = nx;
  HIT_NORMAL[1] = ny;
  HIT_NORMAL[2] = nz;
  return t;
}
