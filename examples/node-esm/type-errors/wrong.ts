// Must NOT compile: proves the package's types are real under nodenext (were
// every import `any`, this file would type-check). verify.mjs expects TS2322.
import { Moments } from 'edgewise/kernels';

const m = new Moments();
const mean: string = m.mean;
console.log(mean);
