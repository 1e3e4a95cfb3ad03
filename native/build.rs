//! napi's link set-up, and with the `cuda` feature our CUDA glue (cuda/*.cu) compiled by nvcc against
//! sppark's headers (DEP_SPPARK_ROOT) and blst's (DEP_BLST_C_SRC: sppark's host-side field types are
//! blst's), with the CUDA runtime linked statically so the addon loads where no driver is installed.
//! build.sh turns the feature on only when it found nvcc; without it nothing here touches CUDA.

use std::env;
use std::path::PathBuf;

/// Real code for the GPUs storage providers run (A100, A10/3090, L40/4090, H100/H200, B200/B300, RTX
/// 50x0) and PTX of the newest for whatever comes next. A PTX is compiled only for its own architecture
/// and later ones, so a GPU left out of the list and older than the newest has no code at all: sm_100
/// is listed for that reason. C2_CUDA_ARCHS narrows it (CI compiles sm_90 only).
const DEFAULT_ARCHS: &str = "80,86,89,90,100,120";

fn main() {
    napi_build::setup();
    println!("cargo:rerun-if-changed=build.rs");
    if env::var_os("CARGO_FEATURE_CUDA").is_some() {
        cuda();
    }
}

fn cuda() {
    let nvcc = PathBuf::from(env::var("NVCC").unwrap_or_else(|_| "nvcc".into()));
    println!("cargo:rerun-if-env-changed=NVCC");
    println!("cargo:rerun-if-env-changed=C2_CUDA_ARCHS");
    println!("cargo:rerun-if-changed=cuda");
    let sppark = env::var("DEP_SPPARK_ROOT").expect("sppark did not export its include root");
    let blst = env::var("DEP_BLST_C_SRC").expect("blst did not export its source directory");
    let archs = env::var("C2_CUDA_ARCHS").unwrap_or_else(|_| DEFAULT_ARCHS.into());
    let archs: Vec<&str> = archs
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .collect();
    assert!(!archs.is_empty(), "C2_CUDA_ARCHS names no architecture");

    let mut b = cc::Build::new();
    // cc's CUDA mode finds nvcc through NVCC (build.sh sets it) and passes host flags with -Xcompiler
    b.cuda(true)
        .cudart("static")
        .include(&sppark)
        .include(&blst)
        .include("cuda")
        .flag("-std=c++17")
        .flag("-O3")
        // sppark's FFI error type carries the message of the cuda_error it caught
        .define("TAKE_RESPONSIBILITY_FOR_ERROR_MESSAGE", None)
        .flag("-Xcompiler")
        .flag("-fPIC")
        .flag("-Xcompiler")
        .flag("-Wno-unused-function")
        .flag("--expt-relaxed-constexpr");
    // sppark's host-side field types are blst_t.hpp, which calls blst's assembly by the names blst was
    // built with: the ADX ones where blst enabled ADX. blst decides so (its build.rs); we follow suit.
    match blst_isa() {
        Isa::Adx => {
            b.define("__ADX__", None);
        }
        Isa::Portable => {
            b.define("__BLST_PORTABLE__", None);
        }
        Isa::Plain => {}
    }
    for a in &archs {
        b.flag(format!("-gencode=arch=compute_{a},code=sm_{a}"));
    }
    // PTX of the newest architecture listed, JIT-compiled by a future driver
    let newest = archs
        .iter()
        .max_by_key(|a| {
            a.trim_end_matches(char::is_alphabetic)
                .parse::<u32>()
                .unwrap_or(0)
        })
        .unwrap();
    b.flag(format!(
        "-gencode=arch=compute_{newest},code=compute_{newest}"
    ));
    // One library per file: cc compiles several .cu of one build as relocatable device code and
    // device-links them, and a device link keeps only SASS, dropping the PTX above. Each file is a whole
    // program (none calls another's device code), so compiled alone it keeps its SASS and its PTX.
    for f in [
        "cuda/device.cu",
        "cuda/msm_g1.cu",
        "cuda/msm_g2.cu",
        "cuda/ntt.cu",
    ] {
        println!("cargo:rerun-if-changed={f}");
        let stem = f.trim_start_matches("cuda/").trim_end_matches(".cu");
        b.clone().file(f).compile(&format!("c2cuda_{stem}"));
    }
    println!("cargo:rustc-env=C2_CUDA_ARCHS_BUILT={}", archs.join(","));

    // cc looks for the runtime under a toolkit's targets/<arch>-linux/lib; PyPI's wheels keep it in lib/
    if let Some(root) = nvcc
        .canonicalize()
        .ok()
        .and_then(|p| p.parent()?.parent().map(PathBuf::from))
    {
        for dir in [
            "lib",
            "lib64",
            "targets/x86_64-linux/lib",
            "targets/sbsa-linux/lib",
        ] {
            let d = root.join(dir);
            if d.join("libcudart_static.a").exists() {
                println!("cargo:rustc-link-search=native={}", d.display());
            }
        }
    }
    // what the static runtime itself needs from libc
    for l in ["dl", "rt", "pthread"] {
        println!("cargo:rustc-link-lib={l}");
    }
}

enum Isa {
    Adx,
    Portable,
    Plain,
}

/// blst 0.3.17's choice between its ADX, portable and plain builds (no `portable`/`force-adx` features
/// are turned on here).
fn blst_isa() -> Isa {
    if env::var("CARGO_CFG_TARGET_ARCH").as_deref() != Ok("x86_64") {
        return Isa::Plain;
    }
    if env::var("CARGO_ENCODED_RUSTFLAGS")
        .unwrap_or_default()
        .contains("target-cpu=")
    {
        let f = env::var("CARGO_CFG_TARGET_FEATURE").unwrap_or_default();
        let f: Vec<&str> = f.split(',').collect();
        return if !f.contains(&"ssse3") {
            Isa::Portable
        } else if f.contains(&"adx") {
            Isa::Adx
        } else {
            Isa::Plain
        };
    }
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("adx") {
        return Isa::Adx;
    }
    Isa::Plain
}
