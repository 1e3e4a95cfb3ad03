//! c2-reference: the reference oracle (judge) for c2prover.
//!
//! Built on the crates.io releases of filecoin-proofs-api / filecoin-proofs /
//! storage-proofs-* 19.1.0 and bellperson 0.27.0 (CPU only). Test tool, never shipped.
//! See README.md (usage) and FORMATS.md (digest / dump formats).

mod cs;

use std::convert::TryInto;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{anyhow, bail, ensure, Context, Result};
use base64::Engine as _;
use bellperson::groth16;
use bellperson::Circuit;
use blstrs::{Bls12, G1Affine, G1Projective, G2Affine, G2Projective, Scalar as Fr};
use ff::{Field, PrimeField};
use filecoin_hashers::{Domain, Hasher};
use filecoin_proofs as fp;
use filecoin_proofs::with_shape;
use filecoin_proofs_api::seal as api;
use filecoin_proofs_api::{
    PieceInfo, RegisteredSealProof, SectorId, UnpaddedBytesAmount,
};
use fp::constants::{DefaultPieceDomain, DefaultPieceHasher};
use fp::types::{MerkleTreeTrait, PoRepConfig, PoRepProofPartitions, SectorSize};
use group::{prime::PrimeCurveAffine, Curve, Group};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use storage_proofs_core::api_version::{ApiFeature, ApiVersion};
use storage_proofs_core::compound_proof::{self, CompoundProof};
use storage_proofs_core::parameter_cache::{
    parameter_cache_metadata_path, parameter_cache_params_path,
    parameter_cache_verifying_key_path, CacheableParameters,
};
use storage_proofs_porep::stacked::{self, StackedCircuit, StackedCompound, StackedDrg};

use crate::cs::{fr_bytes, DumpCS, HashCSWithAux};

/// Fixed seed for the oracle's Groth16 random setup (NOT a trusted setup: test parameters).
pub const PARAMS_SEED: [u8; 32] = *b"c2prover-reference-params-seed-1";

// ---------------------------------------------------------------------------------------------
// small helpers

struct Args {
    pos: Vec<String>,
    flags: Vec<(String, String)>,
}

impl Args {
    fn parse(v: &[String]) -> Args {
        let mut pos = vec![];
        let mut flags = vec![];
        let mut i = 0;
        while i < v.len() {
            if let Some(k) = v[i].strip_prefix("--") {
                if let Some((k, val)) = k.split_once('=') {
                    flags.push((k.to_string(), val.to_string()));
                    i += 1;
                } else if i + 1 < v.len() && !v[i + 1].starts_with("--") {
                    flags.push((k.to_string(), v[i + 1].clone()));
                    i += 2;
                } else {
                    flags.push((k.to_string(), "true".to_string()));
                    i += 1;
                }
            } else {
                pos.push(v[i].clone());
                i += 1;
            }
        }
        Args { pos, flags }
    }
    fn get(&self, k: &str) -> Option<&str> {
        self.flags
            .iter()
            .rev()
            .find(|(kk, _)| kk == k)
            .map(|(_, v)| v.as_str())
    }
    fn req(&self, k: &str) -> Result<&str> {
        self.get(k).ok_or_else(|| anyhow!("missing --{}", k))
    }
}

fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

fn parse_sector_size(s: &str) -> Result<u64> {
    let s = s.trim();
    let up = s.to_ascii_uppercase();
    let (num, mul) = if let Some(n) = up.strip_suffix("KIB") {
        (n, 1u64 << 10)
    } else if let Some(n) = up.strip_suffix("MIB") {
        (n, 1u64 << 20)
    } else if let Some(n) = up.strip_suffix("GIB") {
        (n, 1u64 << 30)
    } else {
        (up.as_str(), 1)
    };
    Ok(num.trim().parse::<u64>().context("bad sector size")? * mul)
}

fn registered_proof(sector_size: u64, version: &str) -> Result<RegisteredSealProof> {
    use RegisteredSealProof::*;
    let v = version.to_ascii_uppercase();
    Ok(match (sector_size, v.as_str()) {
        (2048, "V1") => StackedDrg2KiBV1,
        (2048, "V1_1") => StackedDrg2KiBV1_1,
        (2048, "SYNTH") => StackedDrg2KiBV1_1_Feat_SyntheticPoRep,
        (2048, "NI") => StackedDrg2KiBV1_2_Feat_NonInteractivePoRep,
        (8388608, "V1") => StackedDrg8MiBV1,
        (8388608, "V1_1") => StackedDrg8MiBV1_1,
        (8388608, "SYNTH") => StackedDrg8MiBV1_1_Feat_SyntheticPoRep,
        (8388608, "NI") => StackedDrg8MiBV1_2_Feat_NonInteractivePoRep,
        (536870912, "V1") => StackedDrg512MiBV1,
        (536870912, "V1_1") => StackedDrg512MiBV1_1,
        (536870912, "SYNTH") => StackedDrg512MiBV1_1_Feat_SyntheticPoRep,
        (536870912, "NI") => StackedDrg512MiBV1_2_Feat_NonInteractivePoRep,
        (34359738368, "V1") => StackedDrg32GiBV1,
        (34359738368, "V1_1") => StackedDrg32GiBV1_1,
        (34359738368, "SYNTH") => StackedDrg32GiBV1_1_Feat_SyntheticPoRep,
        (34359738368, "NI") => StackedDrg32GiBV1_2_Feat_NonInteractivePoRep,
        (68719476736, "V1") => StackedDrg64GiBV1,
        (68719476736, "V1_1") => StackedDrg64GiBV1_1,
        (68719476736, "SYNTH") => StackedDrg64GiBV1_1_Feat_SyntheticPoRep,
        (68719476736, "NI") => StackedDrg64GiBV1_2_Feat_NonInteractivePoRep,
        _ => bail!("unsupported sector size / proof: {} {}", sector_size, version),
    })
}

/// `t01000` / `f01000` / `1000` -> 1000
fn parse_miner(m: &str) -> Result<u64> {
    let s = m.trim();
    let s = s
        .strip_prefix("t0")
        .or_else(|| s.strip_prefix("f0"))
        .unwrap_or(s);
    s.parse::<u64>().context("bad miner id (expected t0<ID>)")
}

/// lotus' prover id: the ID address payload (uvarint / LEB128 of the actor id) zero-padded to 32 bytes.
fn prover_id(actor: u64) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut v = actor;
    let mut i = 0;
    loop {
        let mut b = (v & 0x7f) as u8;
        v >>= 7;
        if v != 0 {
            b |= 0x80;
        }
        out[i] = b;
        i += 1;
        if v == 0 {
            break;
        }
    }
    out
}

fn porep_id_of(rp: RegisteredSealProof) -> [u8; 32] {
    // Same as filecoin-proofs-api's (private) RegisteredSealProof::porep_id(): LE id || LE nonce(0).
    let id = rp as u64; // enum discriminants match REGISTERED_PROOF_IDS (0..19)
    let mut out = [0u8; 32];
    out[0..8].copy_from_slice(&id.to_le_bytes());
    out
}

fn parse_hex32(s: &str) -> Result<[u8; 32]> {
    let v = hex::decode(s.trim())?;
    ensure!(v.len() == 32, "expected 32 bytes");
    let mut o = [0u8; 32];
    o.copy_from_slice(&v);
    Ok(o)
}

fn write_json(path: &Path, v: &serde_json::Value) -> Result<()> {
    let mut s = serde_json::to_string_pretty(v)?;
    s.push('\n');
    fs::write(path, s).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Commit2 input (lotus-bench --save-commit2-input format)

#[derive(Serialize, Deserialize)]
struct Commit2In {
    #[serde(rename = "SectorNum")]
    sector_num: u64,
    #[serde(rename = "Phase1Out")]
    phase1_out: String,
    #[serde(rename = "SectorSize")]
    sector_size: u64,
    /// Only in the oracle's small-"shape" fixtures (seal-shape): the real circuit parameters.
    #[serde(rename = "ShapeOverride", skip_serializing_if = "Option::is_none", default)]
    shape: Option<ShapeOverride>,
}

/// For seal-shape fixtures: the Phase1Out is labelled with the production proof whose tree
/// shape it has (e.g. StackedDrg32GiBV1_1 for 8-8-0), but the sector is small.
#[derive(Serialize, Deserialize, Clone)]
struct ShapeOverride {
    shape: String,
    sector_size: u64,
    layers: usize,
    partitions: u8,
    porep_id: String,
    api_version: String,
}

struct LoadedC2 {
    c2: Commit2In,
    c1_json: Vec<u8>,
    c1: api::SealCommitPhase1Output,
}

fn load_c2(path: &str) -> Result<LoadedC2> {
    let txt = fs::read(path).with_context(|| format!("reading {}", path))?;
    let c2: Commit2In = serde_json::from_slice(&txt).context("parsing Commit2In json")?;
    let c1_json = base64::engine::general_purpose::STANDARD
        .decode(c2.phase1_out.as_bytes())
        .context("Phase1Out base64")?;
    let c1: api::SealCommitPhase1Output =
        serde_json::from_slice(&c1_json).context("parsing SealCommitPhase1Output json")?;
    Ok(LoadedC2 { c2, c1_json, c1 })
}

fn api_version_of(s: &str) -> Result<ApiVersion> {
    Ok(match s {
        "1.0.0" => ApiVersion::V1_0_0,
        "1.1.0" => ApiVersion::V1_1_0,
        "1.2.0" => ApiVersion::V1_2_0,
        _ => bail!("bad api version {}", s),
    })
}

/// Apply a shape override: set LAYERS / POREP_PARTITIONS for the small sector size and build the
/// matching PoRepConfig.
fn shape_config(sh: &ShapeOverride) -> Result<PoRepConfig> {
    fp::constants::LAYERS
        .write()
        .map_err(|_| anyhow!("LAYERS poisoned"))?
        .insert(sh.sector_size, sh.layers);
    fp::constants::POREP_PARTITIONS
        .write()
        .map_err(|_| anyhow!("POREP_PARTITIONS poisoned"))?
        .insert(sh.sector_size, sh.partitions);
    Ok(PoRepConfig {
        sector_size: SectorSize(sh.sector_size),
        partitions: PoRepProofPartitions(sh.partitions),
        porep_id: parse_hex32(&sh.porep_id)?,
        api_version: api_version_of(&sh.api_version)?,
        api_features: vec![],
    })
}

/// PoRepConfig + tree-dispatch sector size for a loaded Commit2 input.
fn config_of(l: &LoadedC2) -> Result<(PoRepConfig, u64)> {
    if let Some(sh) = &l.c2.shape {
        Ok((shape_config(sh)?, sh.sector_size))
    } else {
        let cfg = l.c1.registered_proof.as_v1_config();
        let ss = u64::from(l.c1.registered_proof.sector_size());
        Ok((cfg, ss))
    }
}

fn to_v1<Tree: 'static + MerkleTreeTrait>(
    c1: &api::SealCommitPhase1Output,
) -> Result<fp::types::SealCommitPhase1Output<Tree>> {
    let replica_id: Fr = c1.replica_id.into();
    let vanilla: Vec<Vec<fp::types::VanillaSealProof<Tree>>> =
        c1.vanilla_proofs.clone().try_into()?;
    Ok(fp::types::SealCommitPhase1Output {
        vanilla_proofs: vanilla,
        comm_r: c1.comm_r,
        comm_d: c1.comm_d,
        replica_id: replica_id.into(),
        seed: c1.seed,
        ticket: c1.ticket,
    })
}

type Compound<Tree> = StackedCompound<Tree, DefaultPieceHasher>;

/// Build the per-partition circuits exactly as seal_commit_phase2_circuit_proofs ->
/// StackedCompound::circuit_proofs does, plus the public inputs the verifier uses.
#[allow(clippy::type_complexity)]
fn build_circuits<Tree: 'static + MerkleTreeTrait>(
    config: &PoRepConfig,
    c1: &api::SealCommitPhase1Output,
) -> Result<(Vec<StackedCircuit<Tree, DefaultPieceHasher>>, Vec<Vec<Fr>>)> {
    let v1 = to_v1::<Tree>(c1)?;
    let comm_r_safe: <Tree::Hasher as Hasher>::Domain =
        fp::as_safe_commitment(&v1.comm_r, "comm_r")?;
    let comm_d_safe = DefaultPieceDomain::try_from_bytes(&v1.comm_d)?;
    let public_inputs = stacked::PublicInputs {
        replica_id: v1.replica_id,
        tau: Some(stacked::Tau {
            comm_d: comm_d_safe,
            comm_r: comm_r_safe,
        }),
        k: None,
        seed: Some(v1.seed),
    };
    let setup = compound_proof::SetupParams {
        vanilla_params: fp::parameters::setup_params(config)?,
        partitions: Some(usize::from(config.partitions)),
        priority: false,
    };
    let cpp = <Compound<Tree> as CompoundProof<StackedDrg<'_, Tree, DefaultPieceHasher>, _>>::setup(
        &setup,
    )?;
    let mut circuits = vec![];
    let mut inputs = vec![];
    for (k, vp) in v1.vanilla_proofs.iter().enumerate() {
        circuits.push(<Compound<Tree> as CompoundProof<
            StackedDrg<'_, Tree, DefaultPieceHasher>,
            _,
        >>::circuit(
            &public_inputs, (), vp, &cpp.vanilla_params, Some(k)
        )?);
        inputs.push(<Compound<Tree> as CompoundProof<
            StackedDrg<'_, Tree, DefaultPieceHasher>,
            StackedCircuit<Tree, DefaultPieceHasher>,
        >>::generate_public_inputs(
            &public_inputs, &cpp.vanilla_params, Some(k)
        )?);
    }
    Ok((circuits, inputs))
}

fn blank_circuit<Tree: 'static + MerkleTreeTrait>(
    config: &PoRepConfig,
) -> Result<StackedCircuit<Tree, DefaultPieceHasher>> {
    let pp = fp::parameters::public_params::<Tree>(config)?;
    Ok(<Compound<Tree> as CompoundProof<
        StackedDrg<'_, Tree, DefaultPieceHasher>,
        StackedCircuit<Tree, DefaultPieceHasher>,
    >>::blank_circuit(&pp))
}

// ---------------------------------------------------------------------------------------------
// seal

fn seed_rng(tag: &str, seed: &str) -> ChaCha20Rng {
    ChaCha20Rng::from_seed(sha256(&[b"c2prover-oracle/", tag.as_bytes(), b"/", seed.as_bytes()]))
}

fn derive32(tag: &str, seed: &str) -> [u8; 32] {
    let mut r = seed_rng(tag, seed);
    let mut o = [0u8; 32];
    r.fill_bytes(&mut o);
    o
}

struct SealOut {
    c1_json: Vec<u8>,
    comm_r: [u8; 32],
    comm_d: [u8; 32],
    replica_id: [u8; 32],
    vanilla_partitions: usize,
}

#[allow(clippy::too_many_arguments)]
fn write_seal_outputs(
    out: &Path,
    sector: u64,
    sector_size: u64,
    miner: &str,
    actor: u64,
    proof_name: &str,
    ticket: [u8; 32],
    seed: [u8; 32],
    seed_str: &str,
    so: &SealOut,
    shape: Option<ShapeOverride>,
    secs: f64,
) -> Result<()> {
    eprintln!("sealing took {:.2}s", secs);
    let c2 = Commit2In {
        sector_num: sector,
        phase1_out: base64::engine::general_purpose::STANDARD.encode(&so.c1_json),
        sector_size,
        shape: shape.clone(),
    };
    // lotus writes json.Marshal(Commit2In) without trailing newline
    fs::write(out.join("c2input.json"), serde_json::to_vec(&c2)?)?;
    let mut meta = serde_json::json!({
        "registered_proof": proof_name,
        "sector_size": sector_size,
        "sector_num": sector,
        "miner": miner,
        "actor_id": actor,
        "prover_id": hex::encode(prover_id(actor)),
        "ticket": hex::encode(ticket),
        "seed": hex::encode(seed),
        "seed_string": seed_str,
        "comm_r": hex::encode(so.comm_r),
        "comm_d": hex::encode(so.comm_d),
        "replica_id": hex::encode(so.replica_id),
        "partitions": so.vanilla_partitions,
        "oracle": "c2-reference (filecoin-proofs-api 19.1.0, bellperson 0.27.0)",
    });
    if let Some(sh) = shape {
        meta["shape_override"] = serde_json::to_value(sh)?;
    }
    write_json(&out.join("meta.json"), &meta)?;
    Ok(())
}

fn cmd_seal(a: &Args) -> Result<()> {
    let sector_size = parse_sector_size(a.req("sector-size")?)?;
    let proof = a.get("proof").unwrap_or("V1_1");
    let rp = registered_proof(sector_size, proof)?;
    let miner = a.get("miner").unwrap_or("t01000");
    let actor = parse_miner(miner)?;
    let sector: u64 = a.req("sector")?.parse()?;
    let seed_str = a.req("seed")?;
    let out = PathBuf::from(a.req("out")?);
    fs::create_dir_all(&out)?;

    let prover = prover_id(actor);
    let ticket = derive32("ticket", seed_str);
    let seed = derive32("seed", seed_str);
    let sector_id = SectorId::from(sector);

    let work = tempdir(&out)?;
    let cache = work.join("cache");
    fs::create_dir_all(&cache)?;
    let staged = work.join("staged");
    let sealed = work.join("sealed");
    let t0 = Instant::now();

    // AddPiece: one piece filling the whole sector, seeded random data.
    let unpadded = UnpaddedBytesAmount::from(fp::types::PaddedBytesAmount(sector_size));
    let mut data = vec![0u8; u64::from(unpadded) as usize];
    seed_rng("data", seed_str).fill_bytes(&mut data);
    let piece_info: PieceInfo = {
        let f = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&staged)?;
        let (pi, _) = api::add_piece(rp, &data[..], f, unpadded, &[])?;
        pi
    };
    fs::File::create(&sealed)?;
    let pieces = vec![piece_info];

    let p1 = api::seal_pre_commit_phase1(
        rp, &cache, &staged, &sealed, prover, sector_id, ticket, &pieces,
    )?;
    eprintln!("PC1 done ({:.1}s)", t0.elapsed().as_secs_f64());
    let p2 = api::seal_pre_commit_phase2(p1, &cache, &sealed)?;
    eprintln!("PC2 done ({:.1}s)", t0.elapsed().as_secs_f64());
    if rp.feature_enabled(ApiFeature::SyntheticPoRep) {
        api::generate_synth_proofs(
            &cache,
            &sealed,
            prover,
            sector_id,
            ticket,
            p2.clone(),
            &pieces,
        )?;
        // like lotus: drop the layers after the synthetic proofs were generated
        api::clear_cache(&cache)?;
        eprintln!("synthetic proofs done ({:.1}s)", t0.elapsed().as_secs_f64());
    }
    let c1 = api::seal_commit_phase1(
        &cache, &sealed, prover, sector_id, ticket, seed, p2.clone(), &pieces,
    )?;
    eprintln!("C1 done ({:.1}s)", t0.elapsed().as_secs_f64());
    let c1_json = serde_json::to_vec(&c1)?;
    let parts = match &c1.vanilla_proofs {
        api::VanillaSealProof::StackedDrg2KiBV1(v) => v.len(),
        api::VanillaSealProof::StackedDrg8MiBV1(v) => v.len(),
        api::VanillaSealProof::StackedDrg512MiBV1(v) => v.len(),
        api::VanillaSealProof::StackedDrg32GiBV1(v) => v.len(),
        api::VanillaSealProof::StackedDrg64GiBV1(v) => v.len(),
    };
    let replica_id: Fr = c1.replica_id.into();
    let so = SealOut {
        c1_json,
        comm_r: p2.comm_r,
        comm_d: p2.comm_d,
        replica_id: fr_bytes(&replica_id),
        vanilla_partitions: parts,
    };
    write_seal_outputs(
        &out,
        sector,
        sector_size,
        miner,
        actor,
        &format!("{:?}", rp),
        ticket,
        seed,
        seed_str,
        &so,
        None,
        t0.elapsed().as_secs_f64(),
    )?;
    if a.get("keep-work").is_none() {
        let _ = fs::remove_dir_all(&work);
    }
    println!(
        "sealed {:?} sector {} miner {}: comm_r={} comm_d={} -> {}",
        rp,
        sector,
        miner,
        hex::encode(p2.comm_r),
        hex::encode(p2.comm_d),
        out.display()
    );
    Ok(())
}

fn tempdir(base: &Path) -> Result<PathBuf> {
    let mut r = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut r);
    let d = std::env::temp_dir().join(format!(
        "c2ref-{}-{}",
        base.file_name()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default(),
        hex::encode(r)
    ));
    fs::create_dir_all(&d)?;
    Ok(d)
}

// seal-shape: small sectors with the 32GiB / 64GiB tree shapes via the v1 (Tree-generic) API.

fn seal_shape_inner<Tree: 'static + MerkleTreeTrait>(
    config: &PoRepConfig,
    work: &Path,
    data: &[u8],
    prover: [u8; 32],
    sector_id: SectorId,
    ticket: [u8; 32],
    seed: [u8; 32],
    label: RegisteredSealProof,
) -> Result<SealOut> {
    let cache = work.join("cache");
    fs::create_dir_all(&cache)?;
    let staged = work.join("staged");
    let sealed = work.join("sealed");
    let unpadded = config.unpadded_bytes_amount();
    let pi = {
        let f = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&staged)?;
        fp::add_piece(data, f, unpadded, &[])?.0
    };
    fs::File::create(&sealed)?;
    let pieces = vec![pi];
    let p1 = fp::seal_pre_commit_phase1::<_, _, _, Tree>(
        config, &cache, &staged, &sealed, prover, sector_id, ticket, &pieces,
    )?;
    let p2 = fp::seal_pre_commit_phase2::<_, _, Tree>(config, p1, &cache, &sealed)?;
    let c1 = fp::seal_commit_phase1::<_, Tree>(
        config, &cache, &sealed, prover, sector_id, ticket, seed, p2.clone(), &pieces,
    )?;
    let parts = c1.vanilla_proofs.len();
    let replica_id: Fr = c1.replica_id.into();
    // Wrap into filecoin-proofs-api's SealCommitPhase1Output, labelled with the production proof
    // that has the same tree type (same serde encoding).
    let vp = match label {
        RegisteredSealProof::StackedDrg32GiBV1_1 => {
            let any: &dyn std::any::Any = &c1.vanilla_proofs;
            api::VanillaSealProof::StackedDrg32GiBV1(
                any.downcast_ref::<Vec<Vec<fp::types::VanillaSealProof<fp::SectorShape32GiB>>>>()
                    .ok_or_else(|| anyhow!("tree type mismatch"))?
                    .clone(),
            )
        }
        RegisteredSealProof::StackedDrg64GiBV1_1 => {
            let any: &dyn std::any::Any = &c1.vanilla_proofs;
            api::VanillaSealProof::StackedDrg64GiBV1(
                any.downcast_ref::<Vec<Vec<fp::types::VanillaSealProof<fp::SectorShape64GiB>>>>()
                    .ok_or_else(|| anyhow!("tree type mismatch"))?
                    .clone(),
            )
        }
        _ => bail!("unsupported label"),
    };
    let api_c1 = api::SealCommitPhase1Output {
        registered_proof: label,
        vanilla_proofs: vp,
        comm_r: c1.comm_r,
        comm_d: c1.comm_d,
        replica_id: replica_id.into(),
        seed: c1.seed,
        ticket: c1.ticket,
    };
    Ok(SealOut {
        c1_json: serde_json::to_vec(&api_c1)?,
        comm_r: p2.comm_r,
        comm_d: p2.comm_d,
        replica_id: fr_bytes(&replica_id),
        vanilla_partitions: parts,
    })
}

fn cmd_seal_shape(a: &Args) -> Result<()> {
    let shape = a.req("shape")?;
    let (sector_size, label) = match shape {
        "8-8-0" => (fp::constants::SECTOR_SIZE_16_KIB, RegisteredSealProof::StackedDrg32GiBV1_1),
        "8-8-2" => (fp::constants::SECTOR_SIZE_32_KIB, RegisteredSealProof::StackedDrg64GiBV1_1),
        _ => bail!("--shape must be 8-8-0 or 8-8-2"),
    };
    let layers: usize = a.get("layers").unwrap_or("11").parse()?;
    let partitions: u8 = a.get("partitions").unwrap_or("2").parse()?;
    let miner = a.get("miner").unwrap_or("t01000");
    let actor = parse_miner(miner)?;
    let sector: u64 = a.req("sector")?.parse()?;
    let seed_str = a.req("seed")?;
    let out = PathBuf::from(a.req("out")?);
    fs::create_dir_all(&out)?;
    let sh = ShapeOverride {
        shape: shape.to_string(),
        sector_size,
        layers,
        partitions,
        porep_id: hex::encode(porep_id_of(label)),
        api_version: "1.1.0".to_string(),
    };
    let config = shape_config(&sh)?;
    let prover = prover_id(actor);
    let ticket = derive32("ticket", seed_str);
    let seed = derive32("seed", seed_str);
    let work = tempdir(&out)?;
    let mut data = vec![0u8; u64::from(config.unpadded_bytes_amount()) as usize];
    seed_rng("data", seed_str).fill_bytes(&mut data);
    let t0 = Instant::now();
    let so = with_shape!(
        sector_size,
        seal_shape_inner,
        &config,
        &work,
        &data,
        prover,
        SectorId::from(sector),
        ticket,
        seed,
        label,
    )?;
    write_seal_outputs(
        &out,
        sector,
        sector_size,
        miner,
        actor,
        &format!("{:?}", label),
        ticket,
        seed,
        seed_str,
        &so,
        Some(sh),
        t0.elapsed().as_secs_f64(),
    )?;
    let _ = fs::remove_dir_all(&work);
    println!(
        "sealed shape {} ({} B, {} layers, {} partitions) -> {}",
        shape,
        sector_size,
        layers,
        partitions,
        out.display()
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// params

fn params_inner<Tree: 'static + MerkleTreeTrait>(config: &PoRepConfig) -> Result<serde_json::Value> {
    let pp = fp::parameters::public_params::<Tree>(config)?;
    let id = <Compound<Tree> as CacheableParameters<StackedCircuit<Tree, DefaultPieceHasher>, _>>::cache_identifier(&pp);
    let params_path = parameter_cache_params_path(&id);
    let vk_path = parameter_cache_verifying_key_path(&id);
    let meta_path = parameter_cache_metadata_path(&id);

    // structure of the blank circuit (what the generator synthesizes)
    let mut hcs = HashCSWithAux::new(false, 0);
    blank_circuit::<Tree>(config)?.synthesize(&mut hcs)?;
    let n_inputs = hcs.cs.inputs.len();

    let existed = params_path.exists();
    let mut rng = ChaCha20Rng::from_seed(PARAMS_SEED);
    let t0 = Instant::now();
    let _gp = <Compound<Tree> as CompoundProof<StackedDrg<'_, Tree, DefaultPieceHasher>, _>>::groth_params(
        Some(&mut rng),
        &pp,
    )?;
    let gen_secs = t0.elapsed().as_secs_f64();
    let _vk = <Compound<Tree> as CompoundProof<StackedDrg<'_, Tree, DefaultPieceHasher>, _>>::verifying_key(
        Some(&mut rng),
        &pp,
    )?;
    let _meta = <Compound<Tree> as CacheableParameters<StackedCircuit<Tree, DefaultPieceHasher>, _>>::get_param_metadata(
        blank_circuit::<Tree>(config)?,
        &pp,
    )?;
    let size = |p: &Path| fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    Ok(serde_json::json!({
        "cache_identifier": id,
        "params_path": params_path,
        "params_bytes": size(&params_path),
        "vk_path": vk_path,
        "vk_bytes": size(&vk_path),
        "meta_path": meta_path,
        "already_existed": existed,
        "generation_seconds": if existed { serde_json::Value::Null } else { serde_json::json!(gen_secs) },
        "constraints": hcs.cs.constraints,
        "input_constraints": n_inputs,
        "constraints_total": hcs.cs.constraints + n_inputs as u64,
        "inputs_including_one": n_inputs,
        "aux": hcs.aux_count(),
        "blank_constraints_sha256": hcs.constraints_digest(),
        "rng": "ChaCha20Rng::from_seed(PARAMS_SEED = b\"c2prover-reference-params-seed-1\")",
        "public_params_identifier": storage_proofs_core::parameter_cache::ParameterSetMetadata::identifier(&pp),
    }))
}

fn cmd_params(a: &Args) -> Result<()> {
    let (config, ss) = if let Some(shape) = a.get("shape") {
        let (ss, label) = match shape {
            "8-8-0" => (fp::constants::SECTOR_SIZE_16_KIB, RegisteredSealProof::StackedDrg32GiBV1_1),
            "8-8-2" => (fp::constants::SECTOR_SIZE_32_KIB, RegisteredSealProof::StackedDrg64GiBV1_1),
            _ => bail!("bad --shape"),
        };
        let sh = ShapeOverride {
            shape: shape.to_string(),
            sector_size: ss,
            layers: a.get("layers").unwrap_or("11").parse()?,
            partitions: a.get("partitions").unwrap_or("2").parse()?,
            porep_id: hex::encode(porep_id_of(label)),
            api_version: "1.1.0".into(),
        };
        (shape_config(&sh)?, ss)
    } else {
        let ss = parse_sector_size(a.req("sector-size")?)?;
        let rp = registered_proof(ss, a.get("proof").unwrap_or("V1_1"))?;
        (rp.as_v1_config(), ss)
    };
    let v = with_shape!(ss, params_inner, &config)?;
    println!("{}", serde_json::to_string_pretty(&v)?);
    Ok(())
}

/// Fake SnarkPack SRS (for NI-PoRep Commit2, which aggregates its partition proofs), written to
/// FIL_PROOFS_PARAMETER_CACHE/v28-fil-inner-product-v1.srs from a fixed seed. NOT the real
/// (ceremony) SRS: aggregates made with it only verify against this same file.
fn cmd_srs(a: &Args) -> Result<()> {
    let size: usize = a.get("size").unwrap_or("1024").parse()?;
    let path = storage_proofs_core::parameter_cache::parameter_cache_srs_key_path("", 0);
    if path.exists() && a.get("force").is_none() {
        println!("{} already exists", path.display());
        return Ok(());
    }
    let mut rng = ChaCha20Rng::from_seed(sha256(&[&PARAMS_SEED, b"srs"]));
    let t0 = Instant::now();
    let srs = groth16::aggregate::setup_fake_srs::<Bls12, _>(&mut rng, size);
    if let Some(d) = path.parent() {
        fs::create_dir_all(d)?;
    }
    let mut f = std::io::BufWriter::new(fs::File::create(&path)?);
    srs.write(&mut f)?;
    f.flush()?;
    println!(
        "{{\"srs_path\": {:?}, \"size\": {}, \"bytes\": {}, \"seconds\": {:.2}}}",
        path,
        size,
        fs::metadata(&path)?.len(),
        t0.elapsed().as_secs_f64()
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// prove / verify

fn cmd_prove(a: &Args) -> Result<()> {
    let file = a.pos.get(1).ok_or_else(|| anyhow!("usage: prove FILE"))?;
    let l = load_c2(file)?;
    ensure!(l.c2.shape.is_none(), "prove: shape fixtures are proved with prove-shape");
    let actor = parse_miner(a.get("miner").unwrap_or("t01000"))?;
    let sector_size = l.c2.sector_size;
    let start = Instant::now();
    let out = api::seal_commit_phase2(l.c1, prover_id(actor), SectorId::from(l.c2.sector_num))?;
    let secs = start.elapsed().as_secs_f64();
    println!("proof: {}", hex::encode(&out.proof));
    println!(
        "seal: commit phase 2: {:.3}s ({:.3} KiB/s)",
        secs,
        sector_size as f64 / 1024.0 / secs
    );
    if let Some(p) = a.get("out") {
        fs::write(p, format!("{}\n", hex::encode(&out.proof)))?;
    }
    Ok(())
}

fn parse_fr(s: &str) -> Result<Fr> {
    let s = s.trim();
    if s == "0" {
        return Ok(Fr::ZERO);
    }
    let b = parse_hex32(s).context("--r/--s: 32-byte hex, little-endian canonical Fr (or 0)")?;
    Option::<Fr>::from(Fr::from_repr(b)).ok_or_else(|| anyhow!("non-canonical Fr"))
}

fn prove_rs_inner<Tree: 'static + MerkleTreeTrait>(
    config: &PoRepConfig,
    c1: &api::SealCommitPhase1Output,
    r: Fr,
    s: Fr,
) -> Result<Vec<u8>> {
    let (circuits, _) = build_circuits::<Tree>(config, c1)?;
    let pp = fp::parameters::public_params::<Tree>(config)?;
    let id = <Compound<Tree> as CacheableParameters<StackedCircuit<Tree, DefaultPieceHasher>, _>>::cache_identifier(&pp);
    let path = parameter_cache_params_path(&id);
    ensure!(path.exists(), "parameters missing: {}", path.display());
    let params = storage_proofs_core::parameter_cache::read_cached_params(&path)?;
    let n = circuits.len();
    let proofs = groth16::create_proof_batch(circuits, &params, vec![r; n], vec![s; n])?;
    let mut out = vec![];
    for p in proofs {
        p.write(&mut out)?;
    }
    Ok(out)
}

/// Deterministic bellperson proof with caller-chosen r and s (same r, s for every partition),
/// so a prover can be compared bit for bit. r = s = 0 gives the non-blinded proof.
fn cmd_prove_rs(a: &Args) -> Result<()> {
    let file = a.pos.get(1).ok_or_else(|| anyhow!("usage: prove-rs FILE --r HEX --s HEX"))?;
    let l = load_c2(file)?;
    let (config, ss) = config_of(&l)?;
    let r = parse_fr(a.req("r")?)?;
    let s = parse_fr(a.req("s")?)?;
    let t = Instant::now();
    let proof = with_shape!(ss, prove_rs_inner, &config, &l.c1, r, s)?;
    let secs = t.elapsed().as_secs_f64();
    println!("proof: {}", hex::encode(&proof));
    eprintln!("prove-rs: {:.3}s", secs);
    if let Some(p) = a.get("out") {
        fs::write(p, format!("{}\n", hex::encode(&proof)))?;
    }
    Ok(())
}

/// exit codes: 0 accepted, 1 rejected, 2 bad input
fn cmd_verify(a: &Args) -> i32 {
    let res = (|| -> Result<Result<bool>> {
        let file = a.pos.get(1).ok_or_else(|| anyhow!("usage: verify FILE PROOFHEX"))?;
        let proof_hex = a.pos.get(2).ok_or_else(|| anyhow!("usage: verify FILE PROOFHEX"))?;
        let proof_hex = if Path::new(proof_hex).is_file() {
            fs::read_to_string(proof_hex)?
        } else {
            proof_hex.clone()
        };
        let proof = hex::decode(proof_hex.trim()).context("proof hex")?;
        let l = load_c2(file)?;
        ensure!(l.c2.shape.is_none(), "verify: shape fixtures not supported");
        let actor = parse_miner(a.get("miner").unwrap_or("t01000"))?;
        let rp = l.c1.registered_proof;
        let vk = rp.cache_verifying_key_path()?;
        ensure!(vk.exists(), "verifying key missing: {}", vk.display());
        if !rp.feature_enabled(ApiFeature::NonInteractivePoRep) {
            ensure!(
                proof.len() == 192 * rp.partitions() as usize,
                "proof must be {} bytes, got {}",
                192 * rp.partitions() as usize,
                proof.len()
            );
        }
        Ok(api::verify_seal(
            rp,
            l.c1.comm_r,
            l.c1.comm_d,
            prover_id(actor),
            SectorId::from(l.c2.sector_num),
            l.c1.ticket,
            l.c1.seed,
            &proof,
        ))
    })();
    match res {
        Err(e) => {
            eprintln!("bad input: {:#}", e);
            2
        }
        Ok(Err(e)) => {
            println!("rejected (error: {:#})", e);
            1
        }
        Ok(Ok(true)) => {
            println!("accepted");
            0
        }
        Ok(Ok(false)) => {
            println!("rejected");
            1
        }
    }
}

fn read_frs(path: &str) -> Result<Vec<Fr>> {
    let b = fs::read(path).with_context(|| format!("reading {}", path))?;
    ensure!(b.len() % 32 == 0, "{}: not a multiple of 32 bytes", path);
    b.chunks(32)
        .map(|c| {
            let mut r = [0u8; 32];
            r.copy_from_slice(c);
            Option::<Fr>::from(Fr::from_repr(r)).ok_or_else(|| anyhow!("non-canonical Fr in {}", path))
        })
        .collect()
}

/// verify-groth16 --vk FILE.vk --inputs p0/inputs.bin[,p1/inputs.bin...] --proof HEX|FILE
/// inputs.bin as written by `dump` (ONE first; it is dropped here). exit 0/1/2.
fn cmd_verify_groth16(a: &Args) -> i32 {
    let res = (|| -> Result<bool> {
        let vk_bytes = fs::read(a.req("vk")?)?;
        let vk = groth16::VerifyingKey::<Bls12>::read(&vk_bytes[..])?;
        let pvk = groth16::prepare_verifying_key(&vk);
        let p = a.req("proof")?;
        let ph = if Path::new(p).is_file() { fs::read_to_string(p)? } else { p.to_string() };
        let proof = hex::decode(ph.trim())?;
        let files: Vec<&str> = a.req("inputs")?.split(',').collect();
        ensure!(
            proof.len() == 192 * files.len(),
            "proof is {} bytes, expected 192 x {} partitions",
            proof.len(),
            files.len()
        );
        let mut all = true;
        for (k, f) in files.iter().enumerate() {
            let ins = read_frs(f)?;
            ensure!(!ins.is_empty() && ins[0] == Fr::ONE, "{}: first input must be ONE", f);
            ensure!(
                ins.len() - 1 == vk.ic.len() - 1,
                "{}: {} public inputs, vk expects {}",
                f,
                ins.len() - 1,
                vk.ic.len() - 1
            );
            let pr = match groth16::Proof::<Bls12>::read(&proof[192 * k..192 * (k + 1)]) {
                Ok(p) => p,
                Err(e) => {
                    println!("partition {}: proof does not decode: {}", k, e);
                    all = false;
                    continue;
                }
            };
            let ok = groth16::verify_proof(&pvk, &pr, &ins[1..]).unwrap_or(false);
            println!("partition {}: {}", k, if ok { "accepted" } else { "rejected" });
            all &= ok;
        }
        Ok(all)
    })();
    match res {
        Err(e) => {
            eprintln!("bad input: {:#}", e);
            2
        }
        Ok(true) => 0,
        Ok(false) => 1,
    }
}

// ---------------------------------------------------------------------------------------------
// digest / dump

fn digest_inner<Tree: 'static + MerkleTreeTrait>(
    config: &PoRepConfig,
    c1: &api::SealCommitPhase1Output,
    only: Option<usize>,
    depth: usize,
    emit: Option<&str>,
) -> Result<Vec<serde_json::Value>> {
    let (circuits, pub_inputs) = build_circuits::<Tree>(config, c1)?;
    let mut out = vec![];
    for (k, circuit) in circuits.into_iter().enumerate() {
        if let Some(o) = only {
            if o != k {
                continue;
            }
        }
        let t0 = Instant::now();
        let mut hcs = HashCSWithAux::new(true, depth);
        if let Some(e) = emit {
            let path = if only.is_some() { e.to_string() } else { format!("{}.p{}", e, k) };
            hcs.cs.emit = Some(std::io::BufWriter::new(fs::File::create(path)?));
        }
        circuit.synthesize(&mut hcs)?;
        if let Some(mut w) = hcs.cs.emit.take() {
            w.flush()?;
        }
        let secs = t0.elapsed().as_secs_f64();
        let ns = hcs.take_stats();
        let ins = &hcs.cs.inputs;
        let matches = ins.len() == pub_inputs[k].len() + 1 && ins[1..] == pub_inputs[k][..];
        out.push(serde_json::json!({
            "partition": k,
            "inputs": ins.len(),
            "aux": hcs.aux_count(),
            "constraints": hcs.cs.constraints,
            "input_constraints": ins.len(),
            "constraints_sha256": hcs.constraints_digest(),
            "witness_sha256": hcs.witness_digest(),
            "public_inputs": ins[1..].iter().map(|f| hex::encode(fr_bytes(f))).collect::<Vec<_>>(),
            "public_inputs_match_verifier": matches,
            "synthesis_seconds": secs,
            "namespaces": ns,
        }));
    }
    Ok(out)
}

fn cmd_digest(a: &Args) -> Result<()> {
    let file = a.pos.get(1).ok_or_else(|| anyhow!("usage: digest FILE"))?;
    let l = load_c2(file)?;
    let (config, ss) = config_of(&l)?;
    let only = a.get("partition").map(|s| s.parse()).transpose()?;
    let depth = a.get("depth").unwrap_or("3").parse()?;
    let parts = with_shape!(ss, digest_inner, &config, &l.c1, only, depth, a.get("emit-constraints"))?;
    let v = serde_json::json!({
        "format": "c2-reference digest v1 (see test/reference/FORMATS.md)",
        "registered_proof": format!("{:?}", l.c1.registered_proof),
        "sector_size": ss,
        "sector_num": l.c2.sector_num,
        "phase1out_sha256": hex::encode(sha256(&[&l.c1_json])),
        "depth": depth,
        "partitions": parts,
    });
    let s = serde_json::to_string_pretty(&v)? + "\n";
    if let Some(o) = a.get("out") {
        fs::write(o, s)?;
    } else {
        std::io::stdout().write_all(s.as_bytes())?;
    }
    Ok(())
}

fn write_frs(path: &Path, v: &[Fr]) -> Result<()> {
    let mut b = Vec::with_capacity(v.len() * 32);
    for f in v {
        b.extend_from_slice(&fr_bytes(f));
    }
    fs::write(path, b)?;
    Ok(())
}

fn dump_inner<Tree: 'static + MerkleTreeTrait>(
    config: &PoRepConfig,
    c1: &api::SealCommitPhase1Output,
    only: Option<usize>,
    out: &Path,
) -> Result<Vec<serde_json::Value>> {
    let (circuits, pub_inputs) = build_circuits::<Tree>(config, c1)?;
    let mut metas = vec![];
    for (k, circuit) in circuits.into_iter().enumerate() {
        if let Some(o) = only {
            if o != k {
                continue;
            }
        }
        let mut d = DumpCS::new_prover();
        circuit.synthesize(&mut d)?;
        d.finish();
        let dir = out.join(format!("p{}", k));
        fs::create_dir_all(&dir)?;
        write_frs(&dir.join("inputs.bin"), &d.input_assignment)?;
        write_frs(&dir.join("aux.bin"), &d.aux_assignment)?;
        write_frs(&dir.join("a.bin"), &d.a)?;
        write_frs(&dir.join("b.bin"), &d.b)?;
        write_frs(&dir.join("c.bin"), &d.c)?;
        fs::write(dir.join("a_aux_density.bin"), &d.a_aux_density.0)?;
        fs::write(dir.join("b_input_density.bin"), &d.b_input_density.0)?;
        fs::write(dir.join("b_aux_density.bin"), &d.b_aux_density.0)?;
        let sum = |v: &[u8]| v.iter().map(|&x| x as u64).sum::<u64>();
        // sanity: every constraint satisfied
        let unsat = d
            .a
            .iter()
            .zip(d.b.iter())
            .zip(d.c.iter())
            .filter(|((a, b), c)| **a * **b != **c)
            .count();
        let n = d.a.len();
        let domain = n.next_power_of_two();
        let meta = serde_json::json!({
            "partition": k,
            "inputs": d.input_assignment.len(),
            "aux": d.aux_assignment.len(),
            "constraints_circuit": d.circuit_constraints,
            "constraints_total": n,
            "input_constraints_appended": n - d.circuit_constraints,
            "fft_domain_size": domain,
            "a_aux_density_total": sum(&d.a_aux_density.0),
            "b_input_density_total": sum(&d.b_input_density.0),
            "b_aux_density_total": sum(&d.b_aux_density.0),
            "unsatisfied_constraints": unsat,
            "public_inputs_match_verifier": d.input_assignment.len() == pub_inputs[k].len() + 1 && d.input_assignment[1..] == pub_inputs[k][..],
            "files": {
                "inputs.bin": "n_inputs x 32B Fr LE canonical, ONE first",
                "aux.bin": "n_aux x 32B",
                "a.bin": "constraints_total x 32B (A evaluations, input constraints included at the end)",
                "b.bin": "constraints_total x 32B",
                "c.bin": "constraints_total x 32B",
                "a_aux_density.bin": "n_aux bytes 0/1",
                "b_input_density.bin": "n_inputs bytes 0/1",
                "b_aux_density.bin": "n_aux bytes 0/1",
            }
        });
        write_json(&dir.join("meta.json"), &meta)?;
        metas.push(meta);
    }
    Ok(metas)
}

/// Synthesis alone, the way bellperson's prover does it (DumpCS mirrors its ProvingAssignment: A, B, C
/// evaluations, densities, assignments), timed, with the process' peak memory: the baseline for our own
/// synthesis benchmark.
fn synth_inner<Tree: 'static + MerkleTreeTrait>(
    config: &PoRepConfig,
    c1: &api::SealCommitPhase1Output,
    only: Option<usize>,
) -> Result<Vec<serde_json::Value>> {
    let (circuits, _) = build_circuits::<Tree>(config, c1)?;
    let mut out = vec![];
    for (k, circuit) in circuits.into_iter().enumerate() {
        if only.is_some_and(|o| o != k) {
            continue;
        }
        let t = Instant::now();
        let mut d = DumpCS::new_prover();
        circuit.synthesize(&mut d)?;
        d.finish();
        let secs = t.elapsed().as_secs_f64();
        out.push(serde_json::json!({
            "partition": k,
            "constraints": d.circuit_constraints,
            "aux": d.aux_assignment.len(),
            "synthesis_seconds": secs,
        }));
    }
    Ok(out)
}

fn peak_rss_kib() -> u64 {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn cmd_synth(a: &Args) -> Result<()> {
    let file = a.pos.get(1).ok_or_else(|| anyhow!("usage: synth FILE [--partition K]"))?;
    let l = load_c2(file)?;
    let (config, ss) = config_of(&l)?;
    let only = a.get("partition").map(|s| s.parse()).transpose()?;
    let parts = with_shape!(ss, synth_inner, &config, &l.c1, only)?;
    println!(
        "{}",
        serde_json::to_string_pretty(&serde_json::json!({"partitions": parts, "peak_rss_kib": peak_rss_kib()}))?
    );
    Ok(())
}

fn cmd_dump(a: &Args) -> Result<()> {
    let file = a.pos.get(1).ok_or_else(|| anyhow!("usage: dump FILE --out DIR"))?;
    let out = PathBuf::from(a.req("out")?);
    fs::create_dir_all(&out)?;
    let l = load_c2(file)?;
    let (config, ss) = config_of(&l)?;
    let only = a.get("partition").map(|s| s.parse()).transpose()?;
    let metas = with_shape!(ss, dump_inner, &config, &l.c1, only, &out)?;
    println!("{}", serde_json::to_string_pretty(&metas)?);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// bench

fn parse_list(s: Option<&str>) -> Result<Vec<u32>> {
    match s {
        None => Ok(vec![]),
        Some(s) => s
            .split(',')
            .filter(|x| !x.is_empty())
            .map(|x| x.trim().parse::<u32>().context("bad log2 size"))
            .collect(),
    }
}

fn random_scalars(n: usize, rng: &mut ChaCha20Rng) -> Vec<Fr> {
    (0..n).map(|_| Fr::random(&mut *rng)).collect()
}

fn cmd_bench(a: &Args) -> Result<()> {
    use bellperson::domain::EvaluationDomain;
    use bellperson::gpu::{LockedFftKernel, LockedMultiexpKernel};
    use ec_gpu_gen::multiexp_cpu::FullDensity;
    use ec_gpu_gen::threadpool::Worker;

    let reps: usize = a.get("reps").unwrap_or("1").parse()?;
    let mut rng = ChaCha20Rng::from_seed([7u8; 32]);
    let worker = Worker::new();
    let mut results = vec![];

    for lg in parse_list(a.get("g1"))? {
        let n = 1usize << lg;
        // bases: consecutive multiples of a random point (cheap to generate), batch-normalized
        let step = G1Projective::random(&mut rng);
        let mut acc = G1Projective::random(&mut rng);
        let mut proj = Vec::with_capacity(n);
        for _ in 0..n {
            proj.push(acc);
            acc += step;
        }
        let mut bases = vec![G1Affine::identity(); n];
        G1Projective::batch_normalize(&proj, &mut bases);
        drop(proj);
        let bases = Arc::new(bases);
        let exps: Arc<Vec<_>> = Arc::new(random_scalars(n, &mut rng).iter().map(|s| s.to_repr()).collect());
        for _ in 0..reps {
            let mut kern = LockedMultiexpKernel::<G1Affine>::new(false);
            let t = Instant::now();
            let r = bellperson::multiexp::multiexp(&worker, (bases.clone(), 0), FullDensity, exps.clone(), &mut kern)
                .wait()
                .map_err(|e| anyhow!("{:?}", e))?;
            let secs = t.elapsed().as_secs_f64();
            std::hint::black_box(r);
            results.push(serde_json::json!({"op": "multiexp_g1", "size": n, "log2": lg, "seconds": secs}));
            eprintln!("multiexp_g1 2^{}: {:.3}s", lg, secs);
        }
    }
    for lg in parse_list(a.get("g2"))? {
        let n = 1usize << lg;
        let step = G2Projective::random(&mut rng);
        let mut acc = G2Projective::random(&mut rng);
        let mut proj = Vec::with_capacity(n);
        for _ in 0..n {
            proj.push(acc);
            acc += step;
        }
        let mut bases = vec![G2Affine::identity(); n];
        G2Projective::batch_normalize(&proj, &mut bases);
        drop(proj);
        let bases = Arc::new(bases);
        let exps: Arc<Vec<_>> = Arc::new(random_scalars(n, &mut rng).iter().map(|s| s.to_repr()).collect());
        for _ in 0..reps {
            let mut kern = LockedMultiexpKernel::<G2Affine>::new(false);
            let t = Instant::now();
            let r = bellperson::multiexp::multiexp(&worker, (bases.clone(), 0), FullDensity, exps.clone(), &mut kern)
                .wait()
                .map_err(|e| anyhow!("{:?}", e))?;
            let secs = t.elapsed().as_secs_f64();
            std::hint::black_box(r.to_affine());
            results.push(serde_json::json!({"op": "multiexp_g2", "size": n, "log2": lg, "seconds": secs}));
            eprintln!("multiexp_g2 2^{}: {:.3}s", lg, secs);
        }
    }
    for lg in parse_list(a.get("fft"))? {
        let n = 1usize << lg;
        let coeffs = random_scalars(n, &mut rng);
        for _ in 0..reps {
            let mut kern: Option<LockedFftKernel<Fr>> = None;
            for op in ["fft", "ifft", "coset_fft", "icoset_fft"] {
                let mut d = EvaluationDomain::from_coeffs(coeffs.clone())?;
                let t = Instant::now();
                match op {
                    "fft" => d.fft(&worker, &mut kern)?,
                    "ifft" => d.ifft(&worker, &mut kern)?,
                    "coset_fft" => d.coset_fft(&worker, &mut kern)?,
                    _ => d.icoset_fft(&worker, &mut kern)?,
                }
                let secs = t.elapsed().as_secs_f64();
                std::hint::black_box(d.into_coeffs());
                results.push(serde_json::json!({"op": op, "size": n, "log2": lg, "seconds": secs}));
                eprintln!("{} 2^{}: {:.3}s", op, lg, secs);
            }
            // the prover's pattern: 3 x ifft + 3 x coset_fft together
            let mut d1 = EvaluationDomain::from_coeffs(coeffs.clone())?;
            let mut d2 = EvaluationDomain::from_coeffs(coeffs.clone())?;
            let mut d3 = EvaluationDomain::from_coeffs(coeffs.clone())?;
            let t = Instant::now();
            EvaluationDomain::ifft_many(&mut [&mut d1, &mut d2, &mut d3], &worker, &mut kern)?;
            EvaluationDomain::coset_fft_many(&mut [&mut d1, &mut d2, &mut d3], &worker, &mut kern)?;
            let secs = t.elapsed().as_secs_f64();
            results.push(serde_json::json!({"op": "ifft_many3+coset_fft_many3", "size": n, "log2": lg, "seconds": secs}));
            eprintln!("ifft_many3+coset_fft_many3 2^{}: {:.3}s", lg, secs);
        }
    }
    println!("{}", serde_json::to_string_pretty(&results)?);
    Ok(())
}

// ---------------------------------------------------------------------------------------------

fn set_default_env() {
    let base = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".cache");
    let defaults = [
        ("FIL_PROOFS_PARAMETER_CACHE", base.join("params")),
        ("FIL_PROOFS_PARENT_CACHE", base.join("parents")),
        ("FIL_PROOFS_CACHE_DIR", base.join("tmp")),
    ];
    for (k, v) in defaults {
        if std::env::var_os(k).is_none() {
            let _ = fs::create_dir_all(&v);
            let mut s = v.to_string_lossy().to_string();
            if k == "FIL_PROOFS_CACHE_DIR" || k == "FIL_PROOFS_PARAMETER_CACHE" {
                s.push('/');
            }
            std::env::set_var(k, s);
        }
    }
}

const USAGE: &str = "c2-reference <subcommand> ...
  seal --sector-size 2KiB|8MiB|512MiB --proof V1|V1_1|SYNTH|NI --miner t01000 --sector N --seed S --out DIR
  seal-shape --shape 8-8-0|8-8-2 [--layers 11] [--partitions 2] --miner t01000 --sector N --seed S --out DIR
  params --sector-size 2KiB [--proof V1_1]   |   params --shape 8-8-0 [--layers 11 --partitions 2]
  srs [--size 1024] [--force]      (fake SnarkPack SRS for NI-PoRep Commit2)
  prove FILE [--miner t01000] [--out proof.hex]
  prove-rs FILE --r HEX|0 --s HEX|0 [--out proof.hex]   (deterministic bellperson proof, fixed r/s)
  verify FILE PROOFHEX|PROOFFILE [--miner t01000]          (exit 0 accept, 1 reject, 2 bad input)
  verify-groth16 --vk FILE.vk --inputs p0/inputs.bin[,p1/inputs.bin..] --proof HEX|FILE
  digest FILE [--partition K] [--depth D] [--out FILE] [--emit-constraints RAWFILE]
  dump FILE --out DIR [--partition K]
  bench [--g1 16,18] [--g2 16] [--fft 16,18] [--reps N]";

fn main() {
    set_default_env();
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let a = Args::parse(&argv);
    let cmd = a.pos.first().cloned().unwrap_or_default();
    let r = match cmd.as_str() {
        "seal" => cmd_seal(&a),
        "seal-shape" => cmd_seal_shape(&a),
        "params" => cmd_params(&a),
        "srs" => cmd_srs(&a),
        "prove" => cmd_prove(&a),
        "prove-rs" => cmd_prove_rs(&a),
        "verify" => std::process::exit(cmd_verify(&a)),
        "verify-groth16" => std::process::exit(cmd_verify_groth16(&a)),
        "digest" => cmd_digest(&a),
        "dump" => cmd_dump(&a),
        "synth" => cmd_synth(&a),
        "bench" => cmd_bench(&a),
        "prover-id" => {
            let actor = parse_miner(a.pos.get(1).map(|s| s.as_str()).unwrap_or("t01000"));
            actor.map(|x| println!("{}", hex::encode(prover_id(x))))
        }
        _ => {
            eprintln!("{}", USAGE);
            std::process::exit(2)
        }
    };
    if let Err(e) = r {
        eprintln!("error: {:#}", e);
        std::process::exit(2);
    }
}
