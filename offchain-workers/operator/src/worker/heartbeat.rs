//! Being heard from: one heartbeat in each heartbeat period, sent before anything else a block
//! brings.

use aos_client::{runtime::Runtime, Chain};
use std::sync::Arc;

use super::{ChainError, Operator};

/// Blocks a heartbeat sent is given to land before the chain is asked whether it did.
const HEARTBEAT_RECHECK: u32 = 3;

impl Operator {
	/// Sends a heartbeat once per heartbeat period. `due` is the first block at which one may be
	/// owed; before it nothing is read, so the chain is asked once per period, not every block.
	pub(super) async fn heartbeat(
		&self,
		chain: &Arc<Chain>,
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
		// Sent without waiting for it to land, so that no task waits on it; looked at again
		// in a few blocks (and sent again only if the chain has not recorded it by then).
		let call = pallet_operators::Call::<Runtime>::heartbeat {};
		if self.send_detached(chain, call.into(), "heartbeat").await {
			self.metrics.heartbeats.inc();
			*due = best.saturating_add(HEARTBEAT_RECHECK).min(next_window);
		}
		Ok(())
	}
}
