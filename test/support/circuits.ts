/**
 * Small circuits with real structure for the Groth16 tests: a cubic with public output, bit
 * decompositions (booleanity and packing, the PoRep witness's dominant shape) and a chain of products.
 */
import { TestConstraintSystem, ONE } from './test-constraint-system.ts';
import { mod } from '../../src/shared/fr.ts';

export interface TestCircuit {
  cs: TestConstraintSystem;
  /** Public inputs without ONE, as a verifier passes them. */
  publicInputs: bigint[];
}

/** Knows x with x^3 + x + 5 = y (y public), x < 2^bits by decomposition, and prod_{i<chain} (x+i) = z (z public). */
export function sampleCircuit(x: bigint, bits = 16, chain = 8): TestCircuit {
  const cs = new TestConstraintSystem();
  const y = mod(x * x * x + x + 5n);
  let z = 1n;
  for (let i = 0; i < chain; i++) z = mod(z * (x + BigInt(i)));
  const yIn = cs.allocInput(y);
  const zIn = cs.allocInput(z);

  const xv = cs.alloc(x);
  const x2 = cs.alloc(mod(x * x));
  const x3 = cs.alloc(mod(x * x * x));
  cs.enforce([[xv, 1n]], [[xv, 1n]], [[x2, 1n]]);
  cs.enforce([[x2, 1n]], [[xv, 1n]], [[x3, 1n]]);
  cs.enforce(
    [
      [x3, 1n],
      [xv, 1n],
      [ONE, 5n],
    ],
    [[ONE, 1n]],
    [[yIn, 1n]],
  );

  const packing: [number, bigint][] = [];
  for (let i = 0; i < bits; i++) {
    const bit = (x >> BigInt(i)) & 1n;
    const b = cs.alloc(bit);
    // (1 - b) * b = 0, as bellperson's Boolean::alloc writes it
    cs.enforce(
      [
        [ONE, 1n],
        [b, -1n],
      ],
      [[b, 1n]],
      [],
    );
    packing.push([b, 1n << BigInt(i)]);
  }
  cs.enforce(packing, [[ONE, 1n]], [[xv, 1n]]);

  let acc = cs.alloc(x);
  cs.enforce([[xv, 1n]], [[ONE, 1n]], [[acc, 1n]]);
  let accValue = mod(x);
  for (let i = 1; i < chain; i++) {
    const next = mod(accValue * (x + BigInt(i)));
    const nv = cs.alloc(next);
    cs.enforce(
      [[acc, 1n]],
      [
        [xv, 1n],
        [ONE, BigInt(i)],
      ],
      [[nv, 1n]],
    );
    acc = nv;
    accValue = next;
  }
  cs.enforce([[acc, 1n]], [[ONE, 1n]], [[zIn, 1n]]);
  return { cs, publicInputs: [y, z] };
}
