# c2prover for GPU nodes. Build: docker build -t c2prover .
# Run:  docker run --gpus all -p 7070:7070 -e C2_TOKEN=... \
#         -v /var/tmp/filecoin-proof-parameters:/var/tmp/filecoin-proof-parameters:ro \
#         -v c2prover-data:/var/lib/c2prover c2prover
# The steps are the project's scripts (setup.sh, bundle.sh), which CI runs too.
ARG NODE_IMAGE=node:24.21.0-bookworm-slim

FROM ${NODE_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl build-essential python3 python3-venv \
 && rm -rf /var/lib/apt/lists/*
# Rust for the native addon (blst behind napi); nvcc 13.0 from PyPI (scripts/ci/cuda.sh) compiles the CUDA
# backend into the same addon for sm_80, 86, 89, 90, 100 and 120 plus PTX (C2_CUDA=1: no silent CPU-only image)
RUN curl -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --default-toolchain 1.95.0
ENV PATH=/root/.cargo/bin:$PATH
WORKDIR /src
COPY . .
RUN bash scripts/ci/cuda.sh && C2_CUDA=1 bash scripts/setup.sh && bash scripts/bundle.sh /opt/c2prover

FROM debian:bookworm-slim AS runtime
# the Vulkan loader for the WebGPU backend (Dawn); the NVIDIA driver, CUDA's and Vulkan's, comes from the
# host through the NVIDIA container toolkit (--gpus all), so nothing of it is baked in here
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libvulkan1 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/c2prover c2prover \
 && mkdir -p /var/lib/c2prover /var/tmp/filecoin-proof-parameters \
 && chown c2prover /var/lib/c2prover
COPY --from=build /usr/local/bin/node /usr/local/bin/node
COPY --from=build /opt/c2prover /opt/c2prover
RUN ln -s /opt/c2prover/bin/c2prover /usr/local/bin/c2prover
ENV NODE_ENV=production \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility,graphics \
    FIL_PROOFS_PARAMETER_CACHE=/var/tmp/filecoin-proof-parameters \
    C2_DATA_DIR=/var/lib/c2prover \
    C2_STRUCTURE_CACHE=/var/lib/c2prover/structure \
    C2_HOST=0.0.0.0 \
    C2_PORT=7070
VOLUME ["/var/tmp/filecoin-proof-parameters", "/var/lib/c2prover"]
USER c2prover
WORKDIR /var/lib/c2prover
EXPOSE 7070
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:7070/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["c2prover"]
CMD ["serve"]
