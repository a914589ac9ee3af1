//! The verifier's integration tests, one binary: against the real ezkl vectors, their
//! mutation corpus, and the fuzz harnesses of `fuzz/` on stable Rust.

mod fuzz_harnesses;
mod mutations;
mod vectors;
