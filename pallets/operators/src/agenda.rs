//! Per-block agendas: storage double maps keyed by (block, item) that `on_initialize` drains
//! in block order, a bounded number of entries per block, from a stored cursor.

use alloc::vec::Vec;
use frame_support::storage::IterableStorageDoubleMap;
use sp_runtime::traits::{One, Saturating};

/// Entries taken off an agenda.
pub(crate) struct Due<N, K> {
	/// (block the entry was scheduled for, its key), in block order.
	pub entries: Vec<(N, K)>,
	/// Where the next drain starts.
	pub cursor: N,
	/// Storage prefixes read (one per block visited).
	pub steps: u32,
}

/// Removes and returns up to `max` entries of agenda `M` scheduled at or before `now`,
/// starting at `cursor` (at `now` when there is none), visiting at most `max` blocks. Entries
/// left over stay for the next call.
pub(crate) fn take_due<M, N, K>(cursor: Option<N>, now: N, max: u32) -> Due<N, K>
where
	M: IterableStorageDoubleMap<N, K, ()>,
	N: codec::FullCodec + Copy + PartialOrd + Saturating + One,
	K: codec::FullCodec,
{
	let max = max as usize;
	let mut at = cursor.unwrap_or(now);
	let mut entries = Vec::new();
	let mut steps = 0u32;
	while at <= now && entries.len() < max && (steps as usize) < max {
		let room = max.saturating_sub(entries.len());
		let keys: Vec<K> = M::iter_key_prefix(at).take(room.saturating_add(1)).collect();
		let more = keys.len() > room;
		steps = steps.saturating_add(1);
		for key in keys.into_iter().take(room) {
			M::remove(at, &key);
			entries.push((at, key));
		}
		if more {
			break;
		}
		at = at.saturating_add(One::one());
	}
	Due { entries, cursor: at, steps }
}
