//! Being heard from: one heartbeat in each heartbeat period, sent before anything else a block
//! brings.

use aos_client::{runtime::Runtime, Chain};

use super::{ChainError, Operator};

impl Operator {
	/// Sends a heartbeat once per heartbeat period. `due` is the first block at which one may be
	/// owed; before it nothing is read, so the chain is asked once per period, not every block.
	pub(super) async fn heartbeat(
		&self,
		chain: &Chain,
		best: u32,
		due: &mut u32,
	) -> Result<(), ChainError> {
		if best < *due {
			return Ok(());
		}
		// Periods are fixed windows of `heartbeat_period` blocks: one heartbeat inside each.
		let period = chain.heartbeat_period().await?.max(1);
		let next_window = (best / period).saturating_add(1).saturating_mul(period);
		let Some(state) = chain.operator(&self.account()).await? else {
			*due = next_window;
			return Ok(());
		};
		if state.last_heartbeat / period >= best / period {
			*due = next_window;
			return Ok(());
		}
		let call = pallet_operators::Call::<Runtime>::heartbeat {};
		match self.submit(chain, call.into()).await {
			Ok(included) => {
				*due = next_window;
				self.metrics.heartbeats.inc();
				tracing::debug!(block = included.block_number, "heartbeat");
			},
			// Tried again at the next block.
			Err(e) => tracing::warn!("heartbeat: {e}"),
		}
		Ok(())
	}
}
