// data-testid values of src/components/testIds.ts used by the specs.
export { testIds } from '../../src/components/testIds';
export const PLUGIN_ID = 'kubedoor-capacity-app';
