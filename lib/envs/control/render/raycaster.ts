/**
 * A software renderer for MuJoCo scenes: one primary ray per pixel, intersected analytically with the
 * primitives DMC models use (plane, sphere, capsule, ellipsoid, cylinder, box), shaded with MuJoCo's headlight
 * plus the model's lights (OpenGL-style ambient + Lambert diffuse + Blinn specular, spot cones, floor shadows),
 * over the DMC sky gradient and floor checker. Not modelled: floor reflections, skybox stars, anti-aliasing.
 * Each primitive only tests the pixels inside the screen rectangle of its projected bounding box, so cost
 * follows covered area rather than pixels × geoms; fixed cameras reuse the world-fixed background. Pure
 * arithmetic on the model's own poses, so the same state always gives the same bytes.
 */
import type { Physics } from '../physics';
import * as intersection from './intersect';
import {
  CHECKER_A,
  CHECKER_B,
  CHECKER_SIZE,
  DEFAULT_GEOM_RGBA,
  FLOOR_MATERIAL,
  HIDDEN_GROUP,
  MATERIAL_SPECULAR,
  SKY_BOTTOM,
  SKY_SHARPNESS,
  SKY_TOP,
} from './style';

// Local bindings: under CommonJS interop imported names are property reads (often getters) on every use,
// which costs measurably in per-pixel loops.
const GEOM = { ...intersection.GEOM };
const HIT_NORMAL = intersection.HIT_NORMAL;
const intersect = intersection.intersect;

const LIGHT_DIRECTIONAL = 1;
const SKY_LUT_SIZE = 1024;

/** Where a primitive's pose comes from each frame. */
const enum Source {
  Geom,
  Site,
  Tendon,
}

interface Primitive {
  source: Source;
  /** geom/site index, or tendon index for Source.Tendon */
  index: number;
  type: number;
  size: [number, number, number];
  rgb: [number, number, number];
  checker: boolean;
}

interface Light {
  index: number;
  directional: boolean;
  ambient: [number, number, number];
  diffuse: [number, number, number];
  specular: [number, number, number];
  cosCutoff: number;
  exponent: number;
}

/** x^64 for the material's shininess (OpenGL exponent 64) by repeated squaring. */
function pow64(x: number): number {
  const x2 = x * x,
    x4 = x2 * x2,
    x8 = x4 * x4,
    x16 = x8 * x8,
    x32 = x16 * x16;
  return x32 * x32;
}

/** cos^exponent for spot falloff; integer exponents (MuJoCo's default 10) by squaring, avoiding Math.pow. */
function powSpot(x: number, e: number): number {
  if (e === 10) {
    const x2 = x * x,
      x4 = x2 * x2;
    return x4 * x4 * x2;
  }
  return Math.pow(x, e);
}

function resolveRgba(
  ownRgba: ArrayLike<number>,
  at: number,
  matid: number,
  matRgba: ArrayLike<number>,
): [number, number, number, number] {
  const own: [number, number, number, number] = [ownRgba[at], ownRgba[at + 1], ownRgba[at + 2], ownRgba[at + 3]];
  const isDefault = own.every((v, i) => Math.abs(v - DEFAULT_GEOM_RGBA[i]) < 1e-6);
  if (matid >= 0 && isDefault) {
    return [matRgba[4 * matid], matRgba[4 * matid + 1], matRgba[4 * matid + 2], matRgba[4 * matid + 3]];
  }
  return own;
}

export interface RendererOptions {
  /** Reuse the background of fixed cameras between frames (default true; the output is identical). */
  cacheBackground?: boolean;
  /** Shadows of bodies on the floor from the model's lights (default true, as MuJoCo). */
  shadows?: boolean;
}

export class Renderer {
  readonly width: number;
  readonly height: number;
  private readonly physics: Physics;
  private primitives: Primitive[] = [];
  private readonly lights: Light[] = [];
  private readonly head: { ambient: number[]; diffuse: number[]; specular: number[]; active: boolean };
  // per-pixel buffers
  private readonly depth: Float64Array;
  private readonly hitId: Int32Array;
  private readonly normal: Float32Array;
  private readonly texU: Float32Array;
  private readonly texV: Float32Array;
  private readonly skyLut: Float32Array;
  // per-frame primitive poses (filled from MjData)
  private pos = new Float64Array(0);
  private mat = new Float64Array(0);
  private tendonSize = new Float64Array(0);
  /** 1 for primitives welded to the world (their pose never changes). */
  private isStatic = new Uint8Array(0);
  /** Per model light: ambient3 diffuse3 specular3 directional cosCutoff exponent (flat, for the pixel loop). */
  private lightParams = new Float64Array(0);
  /** Per model light, this frame: position3 direction3. */
  private lightPose = new Float64Array(0);
  /** Per primitive: rgb, and 1 when drawn as the floor checker. */
  private colour = new Float64Array(0);
  private isChecker = new Uint8Array(0);
  /** This frame's camera: origin, X, Y, Z axes, tan of half-fovs, pixel-ray steps u0, du, v0, dv. */
  private readonly cam = new Float64Array(18);
  // cached background for fixed cameras
  private readonly bgColor: Uint8Array;
  private readonly bgDepth: Float64Array;
  private readonly bgHit: Int32Array;
  private readonly bgNormal: Float32Array;
  private readonly bgTexU: Float32Array;
  private readonly bgTexV: Float32Array;
  private readonly bgShadow: Uint8Array;
  private bgKey: Float64Array | undefined;
  private keyScratch = new Float64Array(0);
  /** Per pixel: bit l set when shadow-casting light slot l is blocked. */
  private readonly shadow: Uint8Array;
  /** Primitives that receive shadows (floor planes). */
  private floors: number[] = [];
  /** Model lights that cast shadows (at most 8), with their bit slot. */
  private readonly shadowLights: { index: number; slot: number; directional: boolean }[] = [];

  /** Whether fixed cameras reuse the world-fixed background between frames (on by default; off for tests). */
  readonly cacheBackground: boolean;
  /** Whether model lights cast shadows on the floor (MuJoCo's default; off is faster). */
  readonly shadows: boolean;

  constructor(physics: Physics, width: number, height = width, options: RendererOptions = {}) {
    this.cacheBackground = options.cacheBackground ?? true;
    this.shadows = options.shadows ?? true;
    if (
      !Number.isInteger(width) ||
      !Number.isInteger(height) ||
      width < 1 ||
      height < 1 ||
      width > 4096 ||
      height > 4096
    ) {
      throw new Error(`Renderer: image size must be integers in [1, 4096], got ${width}×${height}`);
    }
    this.physics = physics;
    this.width = width;
    this.height = height;
    const n = width * height;
    this.depth = new Float64Array(n);
    this.hitId = new Int32Array(n);
    this.normal = new Float32Array(3 * n);
    this.texU = new Float32Array(n);
    this.texV = new Float32Array(n);
    this.bgColor = new Uint8Array(3 * n);
    this.bgDepth = new Float64Array(n);
    this.bgHit = new Int32Array(n);
    this.bgNormal = new Float32Array(3 * n);
    this.bgTexU = new Float32Array(n);
    this.bgTexV = new Float32Array(n);
    this.bgShadow = new Uint8Array(n);
    this.shadow = new Uint8Array(n);
    this.skyLut = new Float32Array(3 * SKY_LUT_SIZE);
    for (let i = 0; i < SKY_LUT_SIZE; i++) {
      const z = (2 * (i + 0.5)) / SKY_LUT_SIZE - 1;
      const s = 1 / (1 + Math.exp(-SKY_SHARPNESS * z));
      for (let c = 0; c < 3; c++) this.skyLut[3 * i + c] = SKY_BOTTOM[c] + (SKY_TOP[c] - SKY_BOTTOM[c]) * s;
    }
    const m = physics.model;
    const hl = m.vis.headlight;
    this.head = {
      ambient: Array.from(hl.ambient as ArrayLike<number>),
      diffuse: Array.from(hl.diffuse as ArrayLike<number>),
      specular: Array.from(hl.specular as ArrayLike<number>),
      active: hl.active !== 0,
    };
    for (let i = 0; i < m.nlight; i++) {
      if (!m.light_active[i]) continue;
      const v3 = (a: ArrayLike<number>): [number, number, number] => [a[3 * i], a[3 * i + 1], a[3 * i + 2]];
      if (this.shadows && m.light_castshadow[i] && this.lights.length < 8) {
        this.shadowLights.push({
          index: i,
          slot: this.lights.length,
          directional: m.light_type[i] === LIGHT_DIRECTIONAL,
        });
      }
      this.lights.push({
        index: i,
        directional: m.light_type[i] === LIGHT_DIRECTIONAL,
        ambient: v3(m.light_ambient),
        diffuse: v3(m.light_diffuse),
        specular: v3(m.light_specular),
        cosCutoff: Math.cos((m.light_cutoff[i] * Math.PI) / 180),
        exponent: m.light_exponent[i],
      });
    }
    const nl = this.lights.length;
    this.lightParams = new Float64Array(12 * nl);
    this.lightPose = new Float64Array(6 * nl);
    this.lights.forEach((lt, l) => {
      this.lightParams.set(
        [...lt.ambient, ...lt.diffuse, ...lt.specular, lt.directional ? 1 : 0, lt.cosCutoff, lt.exponent],
        12 * l,
      );
    });
    this.refreshScene();
  }

  /**
   * Re-reads which primitives are visible and their sizes/colours from the model. Call after a task edits
   * the model (e.g. reacher's target size, finger's site alpha); poses are read every frame anyway.
   */
  refreshScene(): void {
    const m = this.physics.model;
    const floorMat = this.physics.mj.mj_name2id(m, 14, FLOOR_MATERIAL);
    const prims: Primitive[] = [];
    const supported = new Set<number>(Object.values(GEOM));
    for (let i = 0; i < m.ngeom; i++) {
      if (m.geom_group[i] >= HIDDEN_GROUP || !supported.has(m.geom_type[i])) continue;
      const matid = m.geom_matid[i] as number;
      const rgba = resolveRgba(m.geom_rgba, 4 * i, matid, m.mat_rgba);
      if (rgba[3] <= 0) continue;
      prims.push({
        source: Source.Geom,
        index: i,
        type: m.geom_type[i],
        size: [m.geom_size[3 * i], m.geom_size[3 * i + 1], m.geom_size[3 * i + 2]],
        rgb: [rgba[0], rgba[1], rgba[2]],
        checker: matid >= 0 && matid === floorMat && m.geom_type[i] === GEOM.plane,
      });
    }
    for (let i = 0; i < m.nsite; i++) {
      if (m.site_group[i] >= HIDDEN_GROUP || !supported.has(m.site_type[i]) || m.site_type[i] === GEOM.plane) continue;
      const rgba = resolveRgba(m.site_rgba, 4 * i, m.site_matid[i] as number, m.mat_rgba);
      if (rgba[3] <= 0) continue;
      prims.push({
        source: Source.Site,
        index: i,
        type: m.site_type[i],
        size: [m.site_size[3 * i], m.site_size[3 * i + 1], m.site_size[3 * i + 2]],
        rgb: [rgba[0], rgba[1], rgba[2]],
        checker: false,
      });
    }
    for (let i = 0; i < m.ntendon; i++) {
      if (m.tendon_group[i] >= HIDDEN_GROUP || m.tendon_width[i] <= 0) continue;
      const rgba = resolveRgba(m.tendon_rgba, 4 * i, m.tendon_matid[i] as number, m.mat_rgba);
      if (rgba[3] <= 0) continue;
      // one capsule per tendon: spatial tendons here run straight between two sites
      prims.push({
        source: Source.Tendon,
        index: i,
        type: GEOM.capsule,
        size: [m.tendon_width[i], 0, 0],
        rgb: [rgba[0], rgba[1], rgba[2]],
        checker: false,
      });
    }
    this.primitives = prims;
    this.pos = new Float64Array(3 * prims.length);
    this.mat = new Float64Array(9 * prims.length);
    this.tendonSize = new Float64Array(prims.length);
    const weld = m.body_weldid as Int32Array;
    this.isStatic = Uint8Array.from(prims, (p) => {
      if (p.source === Source.Tendon) return 0;
      const body = p.source === Source.Geom ? m.geom_bodyid[p.index] : m.site_bodyid[p.index];
      return weld[body as number] === 0 ? 1 : 0;
    });
    this.floors = prims.flatMap((p, k) => (p.checker ? [k] : []));
    this.colour = Float64Array.from(prims.flatMap((p) => p.rgb));
    this.isChecker = Uint8Array.from(prims, (p) => (p.checker ? 1 : 0));
    this.bgKey = undefined;
  }

  /** Copies this frame's primitive poses out of MjData. */
  private readPoses(): void {
    const d = this.physics.data;
    const gpos = d.geom_xpos as Float64Array;
    const gmat = d.geom_xmat as Float64Array;
    const spos = d.site_xpos as Float64Array;
    const smat = d.site_xmat as Float64Array;
    const pos = this.pos;
    const mat = this.mat;
    for (let k = 0; k < this.primitives.length; k++) {
      const p = this.primitives[k];
      if (p.source === Source.Tendon) {
        this.tendonPose(k, p.index);
        continue;
      }
      const srcPos = p.source === Source.Geom ? gpos : spos;
      const srcMat = p.source === Source.Geom ? gmat : smat;
      for (let c = 0; c < 3; c++) pos[3 * k + c] = srcPos[3 * p.index + c];
      for (let c = 0; c < 9; c++) mat[9 * k + c] = srcMat[9 * p.index + c];
    }
  }

  /** Frame of the capsule drawn from a tendon's first to its last path point. */
  private tendonPose(k: number, tendon: number): void {
    const d = this.physics.data;
    const adr = d.ten_wrapadr[tendon] as number;
    const num = d.ten_wrapnum[tendon] as number;
    const wx = d.wrap_xpos as Float64Array;
    const pos = this.pos;
    const mat = this.mat;
    if (num < 2) {
      this.tendonSize[k] = -1;
      return;
    }
    const a = 3 * adr;
    const b = 3 * (adr + num - 1);
    const dx = wx[b] - wx[a],
      dy = wx[b + 1] - wx[a + 1],
      dz = wx[b + 2] - wx[a + 2];
    const len = Math.hypot(dx, dy, dz);
    pos[3 * k] = (wx[a] + wx[b]) / 2;
    pos[3 * k + 1] = (wx[a + 1] + wx[b + 1]) / 2;
    pos[3 * k + 2] = (wx[a + 2] + wx[b + 2]) / 2;
    this.tendonSize[k] = len / 2;
    // z axis along the tendon; x, y any orthonormal completion
    let zx = 0,
      zy = 0,
      zz = 1;
    if (len > 1e-12) {
      zx = dx / len;
      zy = dy / len;
      zz = dz / len;
    }
    let xx: number, xy: number, xz: number;
    if (Math.abs(zx) < 0.9) {
      xx = 0;
      xy = -zz;
      xz = zy;
    } else {
      xx = -zz;
      xy = 0;
      xz = zx;
    }
    const xl = Math.hypot(xx, xy, xz);
    xx /= xl;
    xy /= xl;
    xz /= xl;
    const yx = zy * xz - zz * xy,
      yy = zz * xx - zx * xz,
      yz = zx * xy - zy * xx;
    const o = 9 * k;
    mat[o] = xx;
    mat[o + 1] = yx;
    mat[o + 2] = zx;
    mat[o + 3] = xy;
    mat[o + 4] = yy;
    mat[o + 5] = zy;
    mat[o + 6] = xz;
    mat[o + 7] = yz;
    mat[o + 8] = zz;
  }

  /**
   * Renders camera `camera` (id or name) into `out` as uint8 RGB, channel-last. With `stride` > 3 the pixels
   * land at out[offset + pixel·stride + c], which lets frame stacking write straight into its slot.
   */
  render(camera: number | string = 0, out?: Uint8Array, offset = 0, stride = 3): Uint8Array {
    const W = this.width,
      H = this.height;
    const m = this.physics.model;
    const d = this.physics.data;
    const cam = typeof camera === 'string' ? this.physics.id('camera', camera) : camera;
    if (!Number.isInteger(cam) || cam < 0 || cam >= m.ncam) {
      throw new Error(`Renderer: camera ${camera} does not exist; the model has cameras 0..${m.ncam - 1}`);
    }
    const target = out ?? new Uint8Array(W * H * 3);
    if (target.length < offset + (W * H - 1) * stride + 3) {
      throw new Error(
        `Renderer: output buffer of length ${target.length} is too small for ${W}×${H} at stride ${stride}`,
      );
    }
    // camera frame: columns of cam_xmat are the camera's x (right), y (up), z (backwards) axes
    const cp = d.cam_xpos as Float64Array,
      cm = d.cam_xmat as Float64Array;
    const f = this.cam;
    f[0] = cp[3 * cam];
    f[1] = cp[3 * cam + 1];
    f[2] = cp[3 * cam + 2];
    const c9 = 9 * cam;
    f[3] = cm[c9];
    f[4] = cm[c9 + 3];
    f[5] = cm[c9 + 6]; // X
    f[6] = cm[c9 + 1];
    f[7] = cm[c9 + 4];
    f[8] = cm[c9 + 7]; // Y
    f[9] = cm[c9 + 2];
    f[10] = cm[c9 + 5];
    f[11] = cm[c9 + 8]; // Z
    const tanY = Math.tan(((m.cam_fovy[cam] as number) * Math.PI) / 360);
    const tanX = (tanY * W) / H;
    f[12] = tanX;
    f[13] = tanY;
    // pixel (row i, col j) looks along -Z + u_j X + v_i Y
    f[14] = -tanX + tanX / W;
    f[15] = (2 * tanX) / W;
    f[16] = tanY - tanY / H;
    f[17] = (-2 * tanY) / H;

    this.readPoses();
    const np = this.primitives.length;
    const isStatic = this.isStatic;
    // A fixed camera over world-fixed geoms sees the same background every frame: cache it (depth, ids and
    // colours) and only cast and shade the moving primitives on top of it.
    const fixedCamera =
      this.cacheBackground &&
      (m.cam_mode[cam] as number) === 0 &&
      (m.body_weldid[m.cam_bodyid[cam] as number] as number) === 0;
    let background: Uint8Array | undefined;
    if (fixedCamera) {
      if (!this.backgroundValid(cam)) {
        this.depth.fill(Infinity);
        this.hitId.fill(-1);
        this.shadow.fill(0);
        for (let k = 0; k < np; k++) if (isStatic[k]) this.cast(k);
        for (let k = 0; k < np; k++) if (isStatic[k]) this.castShadow(k);
        this.shade(this.bgColor, 0, 3, undefined);
        this.bgDepth.set(this.depth);
        this.bgHit.set(this.hitId);
        this.bgNormal.set(this.normal);
        this.bgTexU.set(this.texU);
        this.bgTexV.set(this.texV);
        this.bgShadow.set(this.shadow);
        this.saveBackgroundKey(cam);
      }
      this.depth.set(this.bgDepth);
      this.hitId.set(this.bgHit);
      this.normal.set(this.bgNormal);
      this.texU.set(this.bgTexU);
      this.texV.set(this.bgTexV);
      this.shadow.set(this.bgShadow);
      for (let k = 0; k < np; k++) if (!isStatic[k]) this.cast(k);
      for (let k = 0; k < np; k++) if (!isStatic[k]) this.castShadow(k);
      background = this.bgColor;
    } else {
      this.depth.fill(Infinity);
      this.hitId.fill(-1);
      this.shadow.fill(0);
      for (let k = 0; k < np; k++) this.cast(k);
      for (let k = 0; k < np; k++) this.castShadow(k);
    }
    this.shade(target, offset, stride, background);
    return target;
  }

  /**
   * Marks floor pixels that primitive k hides from each shadow-casting light (bit l of `shadow`). Only the
   * pixels inside the screen rectangle of the primitive's shadow on the floor plane are tested.
   */
  private castShadow(k: number): void {
    const prim = this.primitives[k];
    if (prim.type === GEOM.plane || this.floors.length === 0 || this.shadowLights.length === 0) return;
    let s0 = prim.size[0],
      s1 = prim.size[1];
    const s2 = prim.size[2];
    if (prim.source === Source.Tendon) {
      if (this.tendonSize[k] < 0) return;
      s1 = this.tendonSize[k];
    }
    const W = this.width,
      H = this.height;
    const f = this.cam;
    const ox = f[0],
      oy = f[1],
      oz = f[2];
    const Xx = f[3],
      Xy = f[4],
      Xz = f[5],
      Yx = f[6],
      Yy = f[7],
      Yz = f[8],
      Zx = f[9],
      Zy = f[10],
      Zz = f[11];
    const tanX = f[12],
      tanY = f[13],
      u0 = f[14],
      du = f[15],
      v0 = f[16],
      dv = f[17];
    const pos = this.pos,
      mat = this.mat,
      hitId = this.hitId,
      depth = this.depth,
      shadow = this.shadow;
    const lp = this.physics.data.light_xpos as Float64Array,
      ld = this.physics.data.light_xdir as Float64Array;
    const px = pos[3 * k],
      py = pos[3 * k + 1],
      pz = pos[3 * k + 2];
    const o = 9 * k;
    const r00 = mat[o],
      r01 = mat[o + 1],
      r02 = mat[o + 2];
    const r10 = mat[o + 3],
      r11 = mat[o + 4],
      r12 = mat[o + 5];
    const r20 = mat[o + 6],
      r21 = mat[o + 7],
      r22 = mat[o + 8];
    let ex: number, ey: number, ez: number;
    switch (prim.type) {
      case GEOM.sphere:
        ex = ey = ez = s0;
        break;
      case GEOM.capsule:
        ex = ey = s0;
        ez = s1 + s0;
        break;
      case GEOM.cylinder:
        ex = ey = s0;
        ez = s1;
        break;
      default:
        ex = s0;
        ey = s1;
        ez = s2;
    }
    for (const floor of this.floors) {
      // floor plane: point and normal (its local z axis)
      const fpx = pos[3 * floor],
        fpy = pos[3 * floor + 1],
        fpz = pos[3 * floor + 2];
      const fnx = mat[9 * floor + 2],
        fny = mat[9 * floor + 5],
        fnz = mat[9 * floor + 8];
      for (let li = 0; li < this.shadowLights.length; li++) {
        const light = this.shadowLights[li];
        const bit = 1 << light.slot;
        const directional = light.directional;
        const Lx = lp[3 * light.index],
          Ly = lp[3 * light.index + 1],
          Lz = lp[3 * light.index + 2];
        const Dx = ld[3 * light.index],
          Dy = ld[3 * light.index + 1],
          Dz = ld[3 * light.index + 2];
        // screen rectangle of the box corners projected from the light onto the floor
        let cmin = Infinity,
          cmax = -Infinity,
          rmin = Infinity,
          rmax = -Infinity;
        let unbounded = false;
        for (let corner = 0; corner < 8 && !unbounded; corner++) {
          const lx = corner & 1 ? ex : -ex,
            ly = corner & 2 ? ey : -ey,
            lz = corner & 4 ? ez : -ez;
          const cx = px + r00 * lx + r01 * ly + r02 * lz;
          const cy = py + r10 * lx + r11 * ly + r12 * lz;
          const cz = pz + r20 * lx + r21 * ly + r22 * lz;
          let rx: number, ry: number, rz: number;
          if (directional) {
            rx = Dx;
            ry = Dy;
            rz = Dz;
          } else {
            rx = cx - Lx;
            ry = cy - Ly;
            rz = cz - Lz;
          }
          const den = rx * fnx + ry * fny + rz * fnz;
          if (den > -1e-9) {
            unbounded = true;
            break;
          }
          const sc = ((fpx - cx) * fnx + (fpy - cy) * fny + (fpz - cz) * fnz) / den;
          const wx = cx + sc * rx - ox,
            wy = cy + sc * ry - oy,
            wz = cz + sc * rz - oz;
          const zc = -(wx * Zx + wy * Zy + wz * Zz);
          if (zc <= 1e-9) {
            unbounded = true;
            break;
          }
          const col = (((wx * Xx + wy * Xy + wz * Xz) / zc / tanX + 1) * W) / 2 - 0.5;
          const row = ((1 - (wx * Yx + wy * Yy + wz * Yz) / zc / tanY) * H) / 2 - 0.5;
          if (col < cmin) cmin = col;
          if (col > cmax) cmax = col;
          if (row < rmin) rmin = row;
          if (row > rmax) rmax = row;
        }
        let j0 = 0,
          j1 = W - 1,
          i0 = 0,
          i1 = H - 1;
        if (!unbounded) {
          j0 = Math.max(0, Math.floor(cmin) - 1);
          j1 = Math.min(W - 1, Math.ceil(cmax) + 1);
          i0 = Math.max(0, Math.floor(rmin) - 1);
          i1 = Math.min(H - 1, Math.ceil(rmax) + 1);
          if (j0 > j1 || i0 > i1) continue;
        }
        for (let i = i0; i <= i1; i++) {
          const v = v0 + i * dv;
          let pix = i * W + j0;
          for (let j = j0; j <= j1; j++, pix++) {
            if (hitId[pix] !== floor || (shadow[pix] & bit) !== 0) continue;
            const u = u0 + j * du;
            const t = depth[pix];
            // floor point, then the ray towards the light in the caster's frame
            const hx = ox + t * (-Zx + u * Xx + v * Yx) - px;
            const hy = oy + t * (-Zy + u * Xy + v * Yy) - py;
            const hz = oz + t * (-Zz + u * Xz + v * Yz) - pz;
            let rx: number, ry: number, rz: number;
            if (directional) {
              rx = -Dx;
              ry = -Dy;
              rz = -Dz;
            } else {
              rx = Lx - px - hx;
              ry = Ly - py - hy;
              rz = Lz - pz - hz;
            }
            const tl = intersect(
              prim.type,
              s0,
              s1,
              s2,
              r00 * hx + r10 * hy + r20 * hz,
              r01 * hx + r11 * hy + r21 * hz,
              r02 * hx + r12 * hy + r22 * hz,
              r00 * rx + r10 * ry + r20 * rz,
              r01 * rx + r11 * ry + r21 * rz,
              r02 * rx + r12 * ry + r22 * rz,
            );
            if (tl < (directional ? Infinity : 1)) shadow[pix] |= bit;
          }
        }
      }
    }
  }

  /** Background key: camera id and pose plus the poses of the world-fixed primitives. */
  private backgroundKeyValues(cam: number, key: Float64Array): Float64Array {
    const n = this.primitives.length;
    key[0] = cam;
    key.set(this.cam.subarray(0, 12), 1);
    for (let k = 0; k < n; k++) {
      if (!this.isStatic[k]) continue;
      key.set(this.pos.subarray(3 * k, 3 * k + 3), 13 + 12 * k);
      key.set(this.mat.subarray(9 * k, 9 * k + 9), 16 + 12 * k);
    }
    // lights shade the background too
    const d = this.physics.data;
    const lp = d.light_xpos as Float64Array,
      ld = d.light_xdir as Float64Array;
    const base = 13 + 12 * n;
    this.lights.forEach((lt, l) => {
      for (let c = 0; c < 3; c++) {
        key[base + 6 * l + c] = lp[3 * lt.index + c];
        key[base + 6 * l + 3 + c] = ld[3 * lt.index + c];
      }
    });
    return key;
  }

  private backgroundKeyLength(): number {
    return 13 + 12 * this.primitives.length + 6 * this.lights.length;
  }

  private backgroundValid(cam: number): boolean {
    const saved = this.bgKey;
    if (!saved || saved.length !== this.backgroundKeyLength()) return false;
    if (this.keyScratch.length !== saved.length) this.keyScratch = new Float64Array(saved.length);
    const key = this.backgroundKeyValues(cam, this.keyScratch);
    for (let i = 0; i < key.length; i++) if (key[i] !== saved[i]) return false;
    return true;
  }

  private saveBackgroundKey(cam: number): void {
    this.bgKey = this.backgroundKeyValues(cam, new Float64Array(this.backgroundKeyLength()));
  }

  /** Intersects primitive k with every pixel ray inside its screen rectangle, keeping the nearest hits. */
  private cast(k: number): void {
    const W = this.width,
      H = this.height;
    const f = this.cam;
    const ox = f[0],
      oy = f[1],
      oz = f[2];
    const Xx = f[3],
      Xy = f[4],
      Xz = f[5],
      Yx = f[6],
      Yy = f[7],
      Yz = f[8],
      Zx = f[9],
      Zy = f[10],
      Zz = f[11];
    const tanX = f[12],
      tanY = f[13],
      u0 = f[14],
      du = f[15],
      v0 = f[16],
      dv = f[17];
    const depth = this.depth,
      hitId = this.hitId,
      normal = this.normal,
      texU = this.texU,
      texV = this.texV;
    const pos = this.pos,
      mat = this.mat;
    const prim = this.primitives[k];
    let s0 = prim.size[0],
      s1 = prim.size[1],
      s2 = prim.size[2];
    if (prim.source === Source.Tendon) {
      if (this.tendonSize[k] < 0) return;
      s1 = this.tendonSize[k];
    }
    const type = prim.type;
    const px = pos[3 * k],
      py = pos[3 * k + 1],
      pz = pos[3 * k + 2];
    const o = 9 * k;
    const r00 = mat[o],
      r01 = mat[o + 1],
      r02 = mat[o + 2];
    const r10 = mat[o + 3],
      r11 = mat[o + 4],
      r12 = mat[o + 5];
    const r20 = mat[o + 6],
      r21 = mat[o + 7],
      r22 = mat[o + 8];

    // screen rectangle of the primitive's oriented bounding box
    let ex: number, ey: number, ez: number;
    switch (type) {
      case GEOM.plane:
        ex = s0 > 0 ? s0 : 1e4;
        ey = s1 > 0 ? s1 : 1e4;
        ez = 0;
        break;
      case GEOM.sphere:
        ex = ey = ez = s0;
        break;
      case GEOM.capsule:
        ex = ey = s0;
        ez = s1 + s0;
        break;
      case GEOM.cylinder:
        ex = ey = s0;
        ez = s1;
        break;
      default:
        ex = s0;
        ey = s1;
        ez = s2;
    }
    let cmin = Infinity,
      cmax = -Infinity,
      rmin = Infinity,
      rmax = -Infinity;
    let behind = 0;
    for (let corner = 0; corner < 8; corner++) {
      const lx = corner & 1 ? ex : -ex,
        ly = corner & 2 ? ey : -ey,
        lz = corner & 4 ? ez : -ez;
      const wx = px + r00 * lx + r01 * ly + r02 * lz - ox;
      const wy = py + r10 * lx + r11 * ly + r12 * lz - oy;
      const wz = pz + r20 * lx + r21 * ly + r22 * lz - oz;
      const zc = -(wx * Zx + wy * Zy + wz * Zz);
      if (zc <= 1e-9) {
        behind++;
        continue;
      }
      const uc = (wx * Xx + wy * Xy + wz * Xz) / zc;
      const vc = (wx * Yx + wy * Yy + wz * Yz) / zc;
      const col = ((uc / tanX + 1) * W) / 2 - 0.5;
      const row = ((1 - vc / tanY) * H) / 2 - 0.5;
      if (col < cmin) cmin = col;
      if (col > cmax) cmax = col;
      if (row < rmin) rmin = row;
      if (row > rmax) rmax = row;
    }
    if (behind === 8) return;
    let j0 = 0,
      j1 = W - 1,
      i0 = 0,
      i1 = H - 1;
    if (behind === 0) {
      j0 = Math.max(0, Math.floor(cmin) - 1);
      j1 = Math.min(W - 1, Math.ceil(cmax) + 1);
      i0 = Math.max(0, Math.floor(rmin) - 1);
      i1 = Math.min(H - 1, Math.ceil(rmax) + 1);
      if (j0 > j1 || i0 > i1) return;
    }

    // ray origin and direction basis in the primitive's local frame (R^T applied)
    const qx = ox - px,
      qy = oy - py,
      qz = oz - pz;
    const lox = r00 * qx + r10 * qy + r20 * qz;
    const loy = r01 * qx + r11 * qy + r21 * qz;
    const loz = r02 * qx + r12 * qy + r22 * qz;
    const ax = -(r00 * Zx + r10 * Zy + r20 * Zz),
      ay = -(r01 * Zx + r11 * Zy + r21 * Zz),
      az = -(r02 * Zx + r12 * Zy + r22 * Zz);
    const bx = r00 * Xx + r10 * Xy + r20 * Xz,
      by = r01 * Xx + r11 * Xy + r21 * Xz,
      bz = r02 * Xx + r12 * Xy + r22 * Xz;
    const cx = r00 * Yx + r10 * Yy + r20 * Yz,
      cy = r01 * Yx + r11 * Yy + r21 * Yz,
      cz = r02 * Yx + r12 * Yy + r22 * Yz;

    for (let i = i0; i <= i1; i++) {
      const v = v0 + i * dv;
      const rdx = ax + v * cx,
        rdy = ay + v * cy,
        rdz = az + v * cz;
      let pix = i * W + j0;
      for (let j = j0; j <= j1; j++, pix++) {
        const u = u0 + j * du;
        const dx = rdx + u * bx,
          dy = rdy + u * by,
          dz = rdz + u * bz;
        const t = intersect(type, s0, s1, s2, lox, loy, loz, dx, dy, dz);
        if (t < depth[pix]) {
          depth[pix] = t;
          hitId[pix] = k;
          if (type === GEOM.plane) {
            texU[pix] = lox + t * dx;
            texV[pix] = loy + t * dy;
          }
          const nx = HIT_NORMAL[0],
            ny = HIT_NORMAL[1],
            nz = HIT_NORMAL[2];
          // local normal → world, normalised
          const wx = r00 * nx + r01 * ny + r02 * nz;
          const wy = r10 * nx + r11 * ny + r12 * nz;
          const wz = r20 * nx + r21 * ny + r22 * nz;
          const inv = 1 / Math.sqrt(wx * wx + wy * wy + wz * wz);
          normal[3 * pix] = wx * inv;
          normal[3 * pix + 1] = wy * inv;
          normal[3 * pix + 2] = wz * inv;
        }
      }
    }
  }

  /** Colours every pixel from its hit; pixels of world-fixed primitives or sky come from `background`. */
  private shade(out: Uint8Array, offset: number, stride: number, background: Uint8Array | undefined): void {
    const W = this.width,
      H = this.height;
    const f = this.cam;
    const ox = f[0],
      oy = f[1],
      oz = f[2];
    const Xx = f[3],
      Xy = f[4],
      Xz = f[5],
      Yx = f[6],
      Yy = f[7],
      Yz = f[8],
      Zx = f[9],
      Zy = f[10],
      Zz = f[11];
    const u0 = f[14],
      du = f[15],
      v0 = f[16],
      dv = f[17];
    const isStatic = this.isStatic;
    const shadow = this.shadow,
      bgShadow = this.bgShadow;
    const d = this.physics.data;
    const lp = d.light_xpos as Float64Array,
      ld = d.light_xdir as Float64Array;
    const depth = this.depth,
      hitId = this.hitId,
      normal = this.normal,
      texU = this.texU,
      texV = this.texV;
    const sky = this.skyLut;
    const head = this.head;
    const hA0 = head.active ? head.ambient[0] : 0,
      hA1 = head.active ? head.ambient[1] : 0,
      hA2 = head.active ? head.ambient[2] : 0;
    const hD0 = head.active ? head.diffuse[0] : 0,
      hD1 = head.active ? head.diffuse[1] : 0,
      hD2 = head.active ? head.diffuse[2] : 0;
    const hS0 = head.active ? head.specular[0] : 0,
      hS1 = head.active ? head.specular[1] : 0,
      hS2 = head.active ? head.specular[2] : 0;
    // model lights in this frame's world coordinates
    const nl = this.lights.length;
    const L = this.lightPose;
    for (let l = 0; l < nl; l++) {
      const li = this.lights[l].index;
      for (let c = 0; c < 3; c++) {
        L[6 * l + c] = lp[3 * li + c];
        L[6 * l + 3 + c] = ld[3 * li + c];
      }
    }
    const spec = MATERIAL_SPECULAR;
    const lightF = this.lightParams,
      colour = this.colour,
      isChecker = this.isChecker;
    const chA0 = CHECKER_A[0],
      chA1 = CHECKER_A[1],
      chA2 = CHECKER_A[2];
    const chB0 = CHECKER_B[0],
      chB1 = CHECKER_B[1],
      chB2 = CHECKER_B[2];
    const invCheck = 1 / CHECKER_SIZE;
    const lutN = SKY_LUT_SIZE;
    let pix = 0;
    for (let i = 0; i < H; i++) {
      const v = v0 + i * dv;
      for (let j = 0; j < W; j++, pix++) {
        const u = u0 + j * du;
        const dx = -Zx + u * Xx + v * Yx,
          dy = -Zy + u * Xy + v * Yy,
          dz = -Zz + u * Xz + v * Yz;
        const dn = 1 / Math.sqrt(dx * dx + dy * dy + dz * dz);
        const o = offset + pix * stride;
        const k = hitId[pix];
        if (background !== undefined && (k < 0 || (isStatic[k] === 1 && shadow[pix] === bgShadow[pix]))) {
          const b = 3 * pix;
          out[o] = background[b];
          out[o + 1] = background[b + 1];
          out[o + 2] = background[b + 2];
          continue;
        }
        if (k < 0) {
          const z = dz * dn;
          let idx = Math.floor(((z + 1) / 2) * lutN);
          if (idx < 0) idx = 0;
          else if (idx >= lutN) idx = lutN - 1;
          out[o] = sky[3 * idx] * 255 + 0.5;
          out[o + 1] = sky[3 * idx + 1] * 255 + 0.5;
          out[o + 2] = sky[3 * idx + 2] * 255 + 0.5;
          continue;
        }
        let cr: number, cg: number, cb: number;
        if (isChecker[k] === 1) {
          const parity = (Math.floor(texU[pix] * invCheck) + Math.floor(texV[pix] * invCheck)) & 1;
          if (parity) {
            cr = chB0;
            cg = chB1;
            cb = chB2;
          } else {
            cr = chA0;
            cg = chA1;
            cb = chA2;
          }
        } else {
          cr = colour[3 * k];
          cg = colour[3 * k + 1];
          cb = colour[3 * k + 2];
        }
        const nx = normal[3 * pix],
          ny = normal[3 * pix + 1],
          nz = normal[3 * pix + 2];
        // view vector (towards the camera)
        const vx = -dx * dn,
          vy = -dy * dn,
          vz = -dz * dn;
        // headlight: directional, shining along the view axis, from the camera
        const hdot = nx * Zx + ny * Zy + nz * Zz;
        let dr = hA0,
          dg = hA1,
          db = hA2;
        let sr = 0,
          sg = 0,
          sb = 0;
        if (hdot > 0) {
          dr += hD0 * hdot;
          dg += hD1 * hdot;
          db += hD2 * hdot;
          const hx = Zx + vx,
            hy = Zy + vy,
            hz = Zz + vz;
          const hn = (nx * hx + ny * hy + nz * hz) / Math.sqrt(hx * hx + hy * hy + hz * hz);
          if (hn > 0) {
            const p = spec * pow64(hn);
            sr += hS0 * p;
            sg += hS1 * p;
            sb += hS2 * p;
          }
        }
        if (nl > 0) {
          const t = depth[pix];
          const sh = shadow[pix];
          const hpx = ox + t * dx,
            hpy = oy + t * dy,
            hpz = oz + t * dz;
          for (let l = 0; l < nl; l++) {
            const f = 12 * l;
            dr += lightF[f];
            dg += lightF[f + 1];
            db += lightF[f + 2];
            if ((sh >> l) & 1) continue;
            const ldx = L[6 * l + 3],
              ldy = L[6 * l + 4],
              ldz = L[6 * l + 5];
            let lx: number,
              ly: number,
              lz: number,
              atten = 1;
            if (lightF[f + 9] === 1) {
              lx = -ldx;
              ly = -ldy;
              lz = -ldz;
            } else {
              lx = L[6 * l] - hpx;
              ly = L[6 * l + 1] - hpy;
              lz = L[6 * l + 2] - hpz;
              const ln = 1 / Math.sqrt(lx * lx + ly * ly + lz * lz);
              lx *= ln;
              ly *= ln;
              lz *= ln;
              const cosang = -(lx * ldx + ly * ldy + lz * ldz);
              if (cosang < lightF[f + 10]) continue;
              atten = powSpot(cosang, lightF[f + 11]);
            }
            const ndl = nx * lx + ny * ly + nz * lz;
            if (ndl <= 0) continue;
            const w = ndl * atten;
            dr += lightF[f + 3] * w;
            dg += lightF[f + 4] * w;
            db += lightF[f + 5] * w;
            const hx = lx + vx,
              hy = ly + vy,
              hz = lz + vz;
            const hn = (nx * hx + ny * hy + nz * hz) / Math.sqrt(hx * hx + hy * hy + hz * hz);
            if (hn > 0) {
              const p = spec * atten * pow64(hn);
              sr += lightF[f + 6] * p;
              sg += lightF[f + 7] * p;
              sb += lightF[f + 8] * p;
            }
          }
        }
        let r = cr * dr + sr,
          g = cg * dg + sg,
          b = cb * db + sb;
        if (r > 1) r = 1;
        if (g > 1) g = 1;
        if (b > 1) b = 1;
        out[o] = r * 255 + 0.5;
        out[o + 1] = g * 255 + 0.5;
        out[o + 2] = b * 255 + 0.5;
      }
    }
  }
}
