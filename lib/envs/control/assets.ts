/**
 * MJCF shared by every domain, after dm_control's suite/common/{materials,skybox,visual}.xml. The floor
 * checker and the sky gradient are drawn procedurally by ./render (see render/style.ts), so the MJCF keeps the
 * `grid` material (the renderer recognises it by name) but not the large builtin textures.
 */

/** Material colours (rgba) as in DMC's materials.xml. */
export const MATERIALS: Record<string, [number, number, number, number]> = {
  self: [0.7, 0.5, 0.3, 1],
  self_default: [0.7, 0.5, 0.3, 1],
  self_highlight: [0, 0.5, 0.3, 1],
  effector: [0.7, 0.4, 0.2, 1],
  effector_default: [0.7, 0.4, 0.2, 1],
  effector_highlight: [0, 0.5, 0.3, 1],
  decoration: [0.3, 0.5, 0.7, 1],
  eye: [0, 0.2, 1, 1],
  target: [0.6, 0.3, 0.3, 1],
  target_default: [0.6, 0.3, 0.3, 1],
  target_highlight: [0.6, 0.3, 0.3, 0.4],
  site: [0.5, 0.5, 0.5, 0.3],
};

const materialXml = Object.entries(MATERIALS)
  .map(([name, c]) => `    <material name="${name}" rgba="${c.join(' ')}"/>`)
  .join('\n');

/** <asset> and <visual> blocks every domain includes. */
export const COMMON_ASSETS = `
  <visual>
    <headlight ambient=".4 .4 .4" diffuse=".8 .8 .8" specular="0.1 0.1 0.1"/>
    <map znear=".01"/>
    <quality shadowsize="2048"/>
  </visual>
  <asset>
    <material name="grid" rgba="0.15 0.25 0.35 1" reflectance=".2"/>
${materialXml}
  </asset>`;
