export type { AttributePath, CompareNode, CompareOperator, FilterNode, FilterValue, LogicalNode, NotNode, PresentNode, ValuePathNode } from './ast.js';
export { parseFilter, type ParseFilterOptions } from './parse-filter.js';
export { parsePatchPath, type PatchPath } from './parse-patch-path.js';
export { resolveFilter } from './resolve-filter.js';
export { resolveSort, type SortOptions, type SortOrder } from './sort.js';
export type { ResourceType } from './attributes.js';
