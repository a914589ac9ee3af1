//! Signing the bridge's checkpoints: when the chain has closed a checkpoint that a finalized
//! block holds, and the operator's Ethereum address is in the bridge's operator set, it signs
//! the checkpoint's digest (EIP-191, through `signer_key`) and sends the signature. Only
//! finalized checkpoints: a signature over a checkpoint of an abandoned fork would be an
//! equivocation, which the chain slashes.

use aos_checkpoint_primitives::{updates_hash, CheckpointStatus};
use aos_client::{runtime::Runtime, Chain};
use std::sync::Arc;

use super::{ChainError, Operator};

/// Blocks a signature sent is given to land before it is sent again.
const SIGNATURE_RECHECK: u32 = 3;

/// The signing the operator is doing: the checkpoint it last signed and when.
#[derive(Default)]
pub(super) struct CheckpointSigning {
	sent: Option<(u64, u32)>,
	/// The finalized block's runtime has been seen to have the bridge (asked until it has).
	bridge: bool,
}

impl Operator {
	/// Signs the checkpoint being signed at the finalized block, once (again after
	/// [`SIGNATURE_RECHECK`] blocks if the chain has not counted it by then).
	pub(super) async fn sign_checkpoints(
		&self,
		chain: &Arc<Chain>,
		best: u32,
		signing: &mut CheckpointSigning,
	) -> Result<(), ChainError> {
		let finalized = chain.finalized_hash().await?;
		// A runtime older than this service (before a runtime upgrade that brings the bridge)
		// has no checkpoints to sign: asking for them would fail every block.
		if !signing.bridge {
			if !chain.versions_at(Some(finalized)).await?.has_api("CheckpointsApi") {
				return Ok(());
			}
			signing.bridge = true;
		}
		let (Some(id), last_final) = chain.checkpoints_latest(Some(finalized)).await? else {
			return Ok(());
		};
		if last_final == Some(id) {
			return Ok(());
		}
		if let Some((sent, at)) = signing.sent {
			if sent == id && best < at.saturating_add(SIGNATURE_RECHECK) {
				return Ok(());
			}
		}
		let Some(view) = chain.checkpoint(id, Some(finalized)).await? else { return Ok(()) };
		if !matches!(view.status, CheckpointStatus::Signing { .. }) {
			return Ok(());
		}
		let address = self.eth.address();
		let members = chain.checkpoint_members(Some(finalized)).await?;
		if !members.iter().any(|(a, _)| *a == address) {
			return Ok(());
		}
		// Counted at the best block already: nothing to send.
		let signed = chain.checkpoint_signatures(id, None).await?;
		if signed.iter().any(|(a, _)| *a == address) {
			return Ok(());
		}
		// The digest is computed here from the message, which must be this chain's checkpoint
		// `id` with the updates shown: a signature over anything else is an equivocation the
		// chain slashes, so a node's answer is not signed on trust.
		let digest = view.message.digest();
		let genesis = chain.genesis();
		if view.message.id != id
			|| view.message.chain.0 != genesis.0
			|| view.message.updates != updates_hash(&view.updates)
			|| view.digest != digest
		{
			tracing::error!(
				checkpoint = id,
				message = ?view.message,
				"checkpoint not signed: the node's checkpoint does not hash to its digest"
			);
			return Ok(());
		}
		let signature = match self.eth.sign(digest.as_bytes()).await {
			Ok(s) => s,
			Err(e) => {
				tracing::warn!(checkpoint = id, "checkpoint not signed: {e}");
				return Ok(());
			},
		};
		let call = pallet_checkpoints::Call::<Runtime>::sign { id, signature };
		if self.send_detached(chain, call.into(), "checkpoint signature").await {
			tracing::info!(checkpoint = id, digest = ?digest, "checkpoint signed");
			self.metrics.checkpoints_signed.inc();
			signing.sent = Some((id, best));
		}
		Ok(())
	}
}
