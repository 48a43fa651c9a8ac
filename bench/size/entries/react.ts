// keyward's whole React layer (`keyward/react`), every export kept. The bench bundles it with the
// core modules external, so this measures only the code in src/react/.
export * from 'keyward/react';
