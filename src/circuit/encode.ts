/**
 * storage-proofs-core's encode / decode gadgets (gadgets/encode.rs over gadgets/constraint.rs): the
 * replica node is the data node plus the last layer's label, in the field.
 */
import type { SynthesisCs } from './synthesis-cs.ts';
import { Lc, ONE, P } from './lc.ts';
import { type AllocatedNum, allocNum } from './num.ts';

/** encode: key + value, in namespace "encode_add" (the result allocated under "add_num"). */
export function encode(cs: SynthesisCs, key: AllocatedNum, value: AllocatedNum): AllocatedNum {
  return cs.ns('encode_add', () => {
    const res = cs.ns('add_num', () => allocNum(cs, (key.value + value.value) % P));
    // (key + value) * 1 = res
    cs.enforce(Lc.of(key.v).add(value.v), Lc.of(ONE), Lc.of(res.v));
    return res;
  });
}

/** decode: value - key, in namespace "decode_sub" (the result allocated under "sub_num"). */
export function decode(cs: SynthesisCs, key: AllocatedNum, value: AllocatedNum): AllocatedNum {
  return cs.ns('decode_sub', () => {
    const res = cs.ns('sub_num', () => allocNum(cs, (value.value - key.value + P) % P));
    // (res + key) * 1 = value
    cs.enforce(Lc.of(res.v).add(key.v), Lc.of(ONE), Lc.of(value.v));
    return res;
  });
}
