/** Encoder analysis (SEER §5.5, Figure 8): SVCCA/PWCCA, attention maps, snapshots, similarity over training. */
export * from './svcca';
export * from './attention';
export * from './snapshots';
export * from './similarity';
export * from './figure8';
