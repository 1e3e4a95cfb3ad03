//! Our own ConstraintSystem implementations used by the oracle:
//!  * `HashCS`  — hashes the constraint system (structure + witness) as documented in FORMATS.md,
//!                with per-namespace statistics up to a given depth.
//!  * `DumpCS`  — mirrors what bellperson's (private) `ProvingAssignment` records during synthesis:
//!                input/aux assignments, the A/B/C evaluation of every constraint and the three
//!                density trackers (a_aux, b_input, b_aux).
//!
//! Both start with input 0 = ONE already allocated, exactly like bellperson's prover/generator.

use std::collections::HashMap;

use bellperson::{ConstraintSystem, Index, LinearCombination, SynthesisError, Variable};
use blstrs::Scalar as Fr;
use ff::{Field, PrimeField};
use sha2::{Digest, Sha256};

pub fn fr_bytes(f: &Fr) -> [u8; 32] {
    // blstrs: to_repr() is the canonical little-endian encoding (not Montgomery).
    f.to_repr()
}

/// Encode one linear combination: u32 LE term count, then per term
/// u8 tag (0 = Input, 1 = Aux), u32 LE index, 32-byte LE canonical coefficient.
/// Terms are in LinearCombination storage order (inputs ascending, then aux ascending);
/// terms with a zero coefficient are skipped.
pub fn encode_lc(lc: &LinearCombination<Fr>, out: &mut Vec<u8>) {
    let count_pos = out.len();
    out.extend_from_slice(&[0u8; 4]);
    let mut n: u32 = 0;
    for (i, coeff) in lc.iter_inputs() {
        if bool::from(coeff.is_zero()) {
            continue;
        }
        out.push(0);
        out.extend_from_slice(&(*i as u32).to_le_bytes());
        out.extend_from_slice(&fr_bytes(coeff));
        n += 1;
    }
    for (i, coeff) in lc.iter_aux() {
        if bool::from(coeff.is_zero()) {
            continue;
        }
        out.push(1);
        out.extend_from_slice(&(*i as u32).to_le_bytes());
        out.extend_from_slice(&fr_bytes(coeff));
        n += 1;
    }
    out[count_pos..count_pos + 4].copy_from_slice(&n.to_le_bytes());
}

pub struct NsStat {
    pub path: String,
    pub depth: usize,
    pub constraints: u64,
    pub aux: u64,
    pub inputs: u64,
    pub entries: u64,
    ch: Sha256,
    ah: Sha256,
}

impl NsStat {
    pub fn finish(self) -> serde_json::Value {
        serde_json::json!({
            "path": self.path,
            "depth": self.depth,
            "entered": self.entries,
            "constraints": self.constraints,
            "aux": self.aux,
            "inputs": self.inputs,
            "constraints_sha256": hex::encode(self.ch.finalize()),
            "aux_sha256": hex::encode(self.ah.finalize()),
        })
    }
}

pub struct HashCS {
    /// When false, value closures are never called (blank-circuit / shape mode) and all
    /// values are taken as zero.
    pub with_values: bool,
    pub max_depth: usize,
    pub inputs: Vec<Fr>,
    pub aux_count: u64,
    pub constraints: u64,
    ch: Sha256,
    stack: Vec<String>,
    active: Vec<usize>,
    pub stats: Vec<NsStat>,
    index: HashMap<String, usize>,
    buf: Vec<u8>,
    /// optional raw sink: receives the exact bytes fed to the constraints digest
    pub emit: Option<std::io::BufWriter<std::fs::File>>,
}

impl HashCS {
    pub fn new_with(with_values: bool, max_depth: usize) -> Self {
        HashCS {
            with_values,
            max_depth,
            inputs: vec![Fr::ONE],
            aux_count: 0,
            constraints: 0,
            ch: Sha256::new(),
            stack: vec![],
            active: vec![],
            stats: vec![],
            index: HashMap::new(),
            buf: Vec::with_capacity(4096),
            emit: None,
        }
    }

}

/// Stores the aux values so that the witness digest (inputs first, then aux) can be computed
/// at the end even though inputs and aux are allocated interleaved.
pub struct AuxStore(pub Vec<u8>);

pub struct HashCSWithAux {
    pub cs: HashCS,
    pub aux: AuxStore,
}

impl HashCSWithAux {
    pub fn new(with_values: bool, max_depth: usize) -> Self {
        HashCSWithAux {
            cs: HashCS::new_with(with_values, max_depth),
            aux: AuxStore(Vec::new()),
        }
    }

    pub fn witness_digest(&self) -> String {
        let mut h = Sha256::new();
        for i in &self.cs.inputs {
            h.update(fr_bytes(i));
        }
        h.update(&self.aux.0);
        hex::encode(h.finalize())
    }

    pub fn constraints_digest(&self) -> String {
        hex::encode(self.cs.ch.clone().finalize())
    }

    pub fn aux_count(&self) -> u64 {
        self.cs.aux_count
    }

    pub fn take_stats(&mut self) -> Vec<serde_json::Value> {
        std::mem::take(&mut self.cs.stats)
            .into_iter()
            .map(|s| s.finish())
            .collect()
    }
}

impl ConstraintSystem<Fr> for HashCSWithAux {
    type Root = Self;

    fn alloc<F, A, AR>(&mut self, _: A, f: F) -> Result<Variable, SynthesisError>
    where
        F: FnOnce() -> Result<Fr, SynthesisError>,
        A: FnOnce() -> AR,
        AR: Into<String>,
    {
        let v = if self.cs.with_values { f()? } else { Fr::ZERO };
        let b = fr_bytes(&v);
        if self.cs.with_values {
            self.aux.0.extend_from_slice(&b);
        }
        for &i in &self.cs.active {
            let s = &mut self.cs.stats[i];
            s.aux += 1;
            s.ah.update(b);
        }
        let idx = self.cs.aux_count as usize;
        self.cs.aux_count += 1;
        Ok(Variable::new_unchecked(Index::Aux(idx)))
    }

    fn alloc_input<F, A, AR>(&mut self, _: A, f: F) -> Result<Variable, SynthesisError>
    where
        F: FnOnce() -> Result<Fr, SynthesisError>,
        A: FnOnce() -> AR,
        AR: Into<String>,
    {
        let v = if self.cs.with_values { f()? } else { Fr::ZERO };
        self.cs.inputs.push(v);
        for &i in &self.cs.active {
            self.cs.stats[i].inputs += 1;
        }
        Ok(Variable::new_unchecked(Index::Input(self.cs.inputs.len() - 1)))
    }

    fn enforce<A, AR, LA, LB, LC>(&mut self, _: A, a: LA, b: LB, c: LC)
    where
        A: FnOnce() -> AR,
        AR: Into<String>,
        LA: FnOnce(LinearCombination<Fr>) -> LinearCombination<Fr>,
        LB: FnOnce(LinearCombination<Fr>) -> LinearCombination<Fr>,
        LC: FnOnce(LinearCombination<Fr>) -> LinearCombination<Fr>,
    {
        let a = a(LinearCombination::zero());
        let b = b(LinearCombination::zero());
        let c = c(LinearCombination::zero());
        let cs = &mut self.cs;
        cs.buf.clear();
        encode_lc(&a, &mut cs.buf);
        encode_lc(&b, &mut cs.buf);
        encode_lc(&c, &mut cs.buf);
        cs.ch.update(&cs.buf);
        if let Some(w) = cs.emit.as_mut() {
            std::io::Write::write_all(w, &cs.buf).expect("emit write");
        }
        for &i in &cs.active {
            let s = &mut cs.stats[i];
            s.constraints += 1;
            s.ch.update(&cs.buf);
        }
        cs.constraints += 1;
    }

    fn push_namespace<NR, N>(&mut self, name_fn: N)
    where
        NR: Into<String>,
        N: FnOnce() -> NR,
    {
        let cs = &mut self.cs;
        cs.stack.push(name_fn().into());
        let depth = cs.stack.len();
        if depth <= cs.max_depth {
            let path = cs.stack.join("/");
            let idx = match cs.index.get(&path) {
                Some(&i) => i,
                None => {
                    cs.stats.push(NsStat {
                        path: path.clone(),
                        depth,
                        constraints: 0,
                        aux: 0,
                        inputs: 0,
                        entries: 0,
                        ch: Sha256::new(),
                        ah: Sha256::new(),
                    });
                    cs.index.insert(path, cs.stats.len() - 1);
                    cs.stats.len() - 1
                }
            };
            cs.stats[idx].entries += 1;
            cs.active.push(idx);
        }
    }

    fn pop_namespace(&mut self) {
        let cs = &mut self.cs;
        if cs.stack.len() <= cs.max_depth {
            cs.active.pop();
        }
        cs.stack.pop();
    }

    fn get_root(&mut self) -> &mut Self::Root {
        self
    }
}

/// Density tracker: one byte (0/1) per variable.
#[derive(Default)]
pub struct Density(pub Vec<u8>);

impl Density {
    fn add_element(&mut self) {
        self.0.push(0);
    }
    fn inc(&mut self, i: usize) {
        self.0[i] = 1;
    }
}

/// Mirrors bellperson 0.27 `ProvingAssignment` (src/groth16/prover/mod.rs).
#[derive(Default)]
pub struct DumpCS {
    pub a_aux_density: Density,
    pub b_input_density: Density,
    pub b_aux_density: Density,
    pub a: Vec<Fr>,
    pub b: Vec<Fr>,
    pub c: Vec<Fr>,
    pub input_assignment: Vec<Fr>,
    pub aux_assignment: Vec<Fr>,
    /// number of constraints enforced by the circuit itself (before the appended input constraints)
    pub circuit_constraints: usize,
}

fn eval_with_trackers(
    lc: &LinearCombination<Fr>,
    mut input_density: Option<&mut Density>,
    mut aux_density: Option<&mut Density>,
    inputs: &[Fr],
    aux: &[Fr],
) -> Fr {
    let mut acc = Fr::ZERO;
    for (i, coeff) in lc.iter_inputs() {
        if !bool::from(coeff.is_zero()) {
            acc += inputs[*i] * coeff;
            if let Some(ref mut d) = input_density {
                d.inc(*i);
            }
        }
    }
    for (i, coeff) in lc.iter_aux() {
        if !bool::from(coeff.is_zero()) {
            acc += aux[*i] * coeff;
            if let Some(ref mut d) = aux_density {
                d.inc(*i);
            }
        }
    }
    acc
}

impl DumpCS {
    pub fn new_prover() -> Self {
        let mut cs = DumpCS::default();
        cs.alloc_input(|| "", || Ok(Fr::ONE)).unwrap();
        cs
    }

    /// What bellperson does right after `circuit.synthesize(&mut prover)`:
    /// one constraint `Input(i) * 0 = 0` per input (ONE included).
    pub fn finish(&mut self) {
        self.circuit_constraints = self.a.len();
        for i in 0..self.input_assignment.len() {
            self.enforce(
                || "",
                |lc| lc + Variable::new_unchecked(Index::Input(i)),
                |lc| lc,
                |lc| lc,
            );
        }
    }
}

impl ConstraintSystem<Fr> for DumpCS {
    type Root = Self;

    fn alloc<F, A, AR>(&mut self, _: A, f: F) -> Result<Variable, SynthesisError>
    where
        F: FnOnce() -> Result<Fr, SynthesisError>,
        A: FnOnce() -> AR,
        AR: Into<String>,
    {
        self.aux_assignment.push(f()?);
        self.a_aux_density.add_element();
        self.b_aux_density.add_element();
        Ok(Variable::new_unchecked(Index::Aux(self.aux_assignment.len() - 1)))
    }

    fn alloc_input<F, A, AR>(&mut self, _: A, f: F) -> Result<Variable, SynthesisError>
    where
        F: FnOnce() -> Result<Fr, SynthesisError>,
        A: FnOnce() -> AR,
        AR: Into<String>,
    {
        self.input_assignment.push(f()?);
        self.b_input_density.add_element();
        Ok(Variable::new_unchecked(Index::Input(self.input_assignment.len() - 1)))
    }

    fn enforce<A, AR, LA, LB, LC>(&mut self, _: A, a: LA, b: LB, c: LC)
    where
        A: FnOnce() -> AR,
        AR: Into<String>,
        LA: FnOnce(LinearCombination<Fr>) -> LinearCombination<Fr>,
        LB: FnOnce(LinearCombination<Fr>) -> LinearCombination<Fr>,
        LC: FnOnce(LinearCombination<Fr>) -> LinearCombination<Fr>,
    {
        let a = a(LinearCombination::zero());
        let b = b(LinearCombination::zero());
        let c = c(LinearCombination::zero());
        let a_res = eval_with_trackers(
            &a,
            None,
            Some(&mut self.a_aux_density),
            &self.input_assignment,
            &self.aux_assignment,
        );
        let b_res = eval_with_trackers(
            &b,
            Some(&mut self.b_input_density),
            Some(&mut self.b_aux_density),
            &self.input_assignment,
            &self.aux_assignment,
        );
        let c_res = eval_with_trackers(&c, None, None, &self.input_assignment, &self.aux_assignment);
        self.a.push(a_res);
        self.b.push(b_res);
        self.c.push(c_res);
    }

    fn push_namespace<NR, N>(&mut self, _: N)
    where
        NR: Into<String>,
        N: FnOnce() -> NR,
    {
    }

    fn pop_namespace(&mut self) {}

    fn get_root(&mut self) -> &mut Self::Root {
        self
    }
}
