//! The inherent data every AOS block carries: the BABE slot and the timestamp.

use aos_runtime::opaque::Block;
use sp_consensus_babe::SlotDuration;
use sp_runtime::traits::Block as BlockT;

/// The BABE slot and timestamp inherent data providers.
pub type Providers =
	(sp_consensus_babe::inherents::InherentDataProvider, sp_timestamp::InherentDataProvider);

/// Creates the inherent data of a block: the current time and the slot it falls in.
///
/// One named type (instead of a closure) serves block authoring and the inherent checks of
/// block import, so that the import pipeline's type can be spelt out.
#[derive(Clone, Copy)]
pub struct SlotAndTimestamp {
	/// BABE's slot duration.
	pub slot_duration: SlotDuration,
}

#[async_trait::async_trait]
impl sp_inherents::CreateInherentDataProviders<Block, ()> for SlotAndTimestamp {
	type InherentDataProviders = Providers;

	async fn create_inherent_data_providers(
		&self,
		_parent: <Block as BlockT>::Hash,
		_extra: (),
	) -> Result<Providers, Box<dyn std::error::Error + Send + Sync>> {
		let timestamp = sp_timestamp::InherentDataProvider::from_system_time();
		let slot =
			sp_consensus_babe::inherents::InherentDataProvider::from_timestamp_and_slot_duration(
				*timestamp,
				self.slot_duration,
			);
		Ok((slot, timestamp))
	}
}
