/**
 * The look of DMC frames that is not in the compiled model: the skybox gradient, the floor checker and the
 * lighting constants (from dm_control's common/{skybox,materials,visual}.xml and MuJoCo's defaults).
 */

/** Skybox: builtin gradient, rgb1 at the zenith, rgb2 at the nadir, blended through a sigmoid of elevation. */
export const SKY_TOP: readonly [number, number, number] = [0.4, 0.6, 0.8];
export const SKY_BOTTOM: readonly [number, number, number] = [0, 0, 0];
/** Steepness of the sky sigmoid in sin(elevation); 5 keeps the horizon at the mid colour. */
export const SKY_SHARPNESS = 5;

/** Floor checker (material `grid`): 2×2 checks per 1 m texture image → 0.5 m squares. */
export const CHECKER_A: readonly [number, number, number] = [0.1, 0.2, 0.3];
export const CHECKER_B: readonly [number, number, number] = [0.2, 0.3, 0.4];
export const CHECKER_SIZE = 0.5;
/** Name of the material the renderer draws as the checker. */
export const FLOOR_MATERIAL = 'grid';

/** Material default specular (MuJoCo). Shininess 0.5 → OpenGL exponent 64, applied by pow64 in raycaster.ts. */
export const MATERIAL_SPECULAR = 0.5;

/** MuJoCo's default geom colour; a geom with a material and this rgba takes the material's colour. */
export const DEFAULT_GEOM_RGBA: readonly [number, number, number, number] = [0.5, 0.5, 0.5, 1];

/** Geom and site groups at or above this are hidden by default in MuJoCo's visualiser. */
export const HIDDEN_GROUP = 3;
