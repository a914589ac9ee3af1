//! How a proof's public instances bind it to a task: the first instances are the task's int8
//! input in ezkl's fixed point, the rest are the logits. The rule lives in
//! `aos_inference_primitives::zk::binding`, shared with the operator service that proves.

pub use aos_inference_primitives::zk::binding::*;
