//! The operator's own records, in an embedded database (redb) under `data_dir`, one per chain
//! (by genesis hash): what it computed and committed to for each task it took (with the salt,
//! which exists nowhere else), so that after a crash or a restart it reveals what it committed
//! to and never commits twice, and which tasks it gave up on and why. Each record is written,
//! and the write made durable, *before* the transaction it enables is submitted: records are
//! written without waiting for the disk, and made durable together, by one synchronous commit
//! ([`Store::sync`], [`Store::put_sent`]) before anything leaves — one disk flush a block
//! rather than one per task.

use codec::{Decode, Encode};
use redb::{Database, Durability, ReadableTable, TableDefinition};
use std::path::Path;

use aos_inference_primitives::TaskId;

const TASKS: TableDefinition<u64, &[u8]> = TableDefinition::new("tasks");
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
const WATCHED: TableDefinition<u64, &[u8]> = TableDefinition::new("watched");
const SENT: TableDefinition<u64, &[u8]> = TableDefinition::new("sent");

/// A step of a task sent to the chain in a transaction whose outcome is not known yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Sent {
	/// Which step ([`crate::worker::Step`] as a byte).
	pub step: u8,
	/// The transaction's nonce: once the account's nonce on chain is past it, the transaction
	/// is in a block or never will be, and the chain's state tells whether the step was done.
	pub nonce: u32,
	/// The best block when it was sent.
	pub block: u32,
}

/// What the operator revealed or will reveal for a task.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Evidence {
	pub output: [u8; 32],
	pub top: Vec<u32>,
	pub samples: Vec<u32>,
	pub intermediates: Vec<(u64, i32)>,
	pub salt: [u8; 32],
	pub pow_nonce: u64,
}

/// A Zk-mode task's proof, committed to before it is revealed.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct ZkEvidence {
	pub proof: Vec<u8>,
	pub instances: Vec<[u8; 32]>,
}

/// A task the operator took.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct TaskRecord {
	/// The round it was selected in.
	pub round: u8,
	/// Its result, once computed (before it commits).
	pub evidence: Option<Evidence>,
	/// In Zk mode, its proof, once made (before it commits).
	pub proof: Option<ZkEvidence>,
	/// Its commitment is on chain.
	pub committed: bool,
	/// Its reveal is on chain.
	pub revealed: bool,
	/// The task ended: nothing more to do.
	pub done: bool,
	/// Why this operator gave up on the task (an input or model it could not fetch or check,
	/// a run that failed), if it did.
	pub failure: Option<String>,
}

impl TaskRecord {
	/// A task claimed in `round`, with nothing done yet.
	pub fn claimed(round: u8) -> TaskRecord {
		TaskRecord {
			round,
			evidence: None,
			proof: None,
			committed: false,
			revealed: false,
			done: false,
			failure: None,
		}
	}
}

/// An optimistic result of another operator that this one, as a challenger, re-executes and
/// disputes if wrong.
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode)]
pub struct WatchRecord {
	/// The watched result's last challenge block: it tells one posted result of the task from
	/// the next (a result overturned, the task's next round posts another).
	pub until: u32,
	/// This operator challenged it (recorded before the challenge is submitted: it never
	/// challenges one result twice).
	pub challenged: bool,
	/// Nothing more to do: the result agrees with ours, its game ended, or it left the chain.
	pub done: bool,
	/// Why it could not be checked (a model or input that could not be fetched), if so.
	pub failure: Option<String>,
}

/// The database.
pub struct Store {
	db: Database,
}

/// Why the database could not be read or written. The operator logs it and retries.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
	/// Asked for before the node told which chain it serves (the database is per chain).
	#[error("not connected to a chain yet")]
	NotOpen,
	#[error("operator database: {0}")]
	Io(#[from] std::io::Error),
	/// Any of redb's errors (boxed: some are large, and results of this type are everywhere).
	#[error("operator database: {0}")]
	Database(Box<redb::Error>),
	#[error("operator database: {0}")]
	Decode(#[from] codec::Error),
	#[error("operator database: no record of task {0}")]
	NoRecord(TaskId),
}

/// `?` on each of redb's error types.
macro_rules! from_redb {
	($($error:ty),*) => {$(
		impl From<$error> for StoreError {
			fn from(e: $error) -> StoreError {
				StoreError::Database(Box::new(e.into()))
			}
		}
	)*};
}
from_redb!(
	redb::DatabaseError,
	redb::TransactionError,
	redb::TableError,
	redb::StorageError,
	redb::CommitError
);

/// The result of a database operation.
pub type StoreResult<T> = Result<T, StoreError>;

impl Store {
	/// The directory of chain `genesis`'s database under `data_dir`: records of one chain are
	/// never read for another (a development chain restarted from genesis included).
	pub fn dir_for(data_dir: &Path, genesis: &sp_core::H256) -> std::path::PathBuf {
		data_dir.join("chains").join(format!("{genesis:?}"))
	}

	/// Opens (or creates) the database in `dir`.
	pub fn open(dir: &Path) -> StoreResult<Store> {
		std::fs::create_dir_all(dir)?;
		let db = Database::create(dir.join("operator.redb"))?;
		let tx = db.begin_write()?;
		tx.open_table(TASKS)?;
		tx.open_table(META)?;
		tx.open_table(WATCHED)?;
		tx.open_table(SENT)?;
		tx.commit()?;
		Ok(Store { db })
	}

	/// The record of task `id`.
	pub fn task(&self, id: TaskId) -> StoreResult<Option<TaskRecord>> {
		let tx = self.db.begin_read()?;
		let table = tx.open_table(TASKS)?;
		let Some(value) = table.get(id)? else { return Ok(None) };
		Ok(Some(TaskRecord::decode(&mut value.value())?))
	}

	/// Writes the record of task `id`, durably.
	pub fn put_task(&self, id: TaskId, record: &TaskRecord) -> StoreResult<()> {
		let mut tx = self.db.begin_write()?;
		tx.set_durability(Durability::Eventual);
		{
			let mut table = tx.open_table(TASKS)?;
			table.insert(id, record.encode().as_slice())?;
		}
		Ok(tx.commit()?)
	}

	/// Changes the record of task `id` (which must exist).
	pub fn update_task(&self, id: TaskId, f: impl FnOnce(&mut TaskRecord)) -> StoreResult<()> {
		let mut record = self.task(id)?.ok_or(StoreError::NoRecord(id))?;
		f(&mut record);
		self.put_task(id, &record)
	}

	/// Marks task `id` given up on, for `reason` (a record is made if there is none).
	pub fn fail(&self, id: TaskId, reason: &str) -> StoreResult<()> {
		let mut record = self.task(id)?.unwrap_or_else(|| TaskRecord::claimed(0));
		record.done = true;
		record.failure = Some(reason.to_string());
		self.put_task(id, &record)
	}

	/// The tasks not done yet.
	pub fn open_tasks(&self) -> StoreResult<Vec<(TaskId, TaskRecord)>> {
		let tx = self.db.begin_read()?;
		let table = tx.open_table(TASKS)?;
		let mut open = Vec::new();
		for entry in table.iter()? {
			let (id, value) = entry?;
			let record = TaskRecord::decode(&mut value.value())?;
			if !record.done {
				open.push((id.value(), record));
			}
		}
		Ok(open)
	}

	/// Starts watching optimistic task `id`'s result challengeable until block `until`: nothing
	/// if that result is watched already (an event seen again after a restart), a fresh record
	/// if the task's earlier result was.
	pub fn watch(&self, id: TaskId, until: u32) -> StoreResult<()> {
		if self.watched(id)?.is_none_or(|r| r.until != until) {
			self.put_watched(id, &WatchRecord { until, ..Default::default() })?;
		}
		Ok(())
	}

	/// The watch record of task `id`.
	pub fn watched(&self, id: TaskId) -> StoreResult<Option<WatchRecord>> {
		let tx = self.db.begin_read()?;
		let table = tx.open_table(WATCHED)?;
		let Some(value) = table.get(id)? else { return Ok(None) };
		Ok(Some(WatchRecord::decode(&mut value.value())?))
	}

	/// Writes the watch record of task `id`, durably.
	pub fn put_watched(&self, id: TaskId, record: &WatchRecord) -> StoreResult<()> {
		let mut tx = self.db.begin_write()?;
		tx.set_durability(Durability::Eventual);
		{
			let mut table = tx.open_table(WATCHED)?;
			table.insert(id, record.encode().as_slice())?;
		}
		Ok(tx.commit()?)
	}

	/// The watched results not done yet.
	pub fn open_watches(&self) -> StoreResult<Vec<(TaskId, WatchRecord)>> {
		let tx = self.db.begin_read()?;
		let table = tx.open_table(WATCHED)?;
		let mut open = Vec::new();
		for entry in table.iter()? {
			let (id, value) = entry?;
			let record = WatchRecord::decode(&mut value.value())?;
			if !record.done {
				open.push((id.value(), record));
			}
		}
		Ok(open)
	}

	/// Records, durably and at once, that the steps `sent` are about to be sent: after a
	/// restart they are not sent again while their transaction may still land.
	pub fn put_sent(&self, sent: &[(TaskId, Sent)]) -> StoreResult<()> {
		// Immediate: everything written before is durable with it.
		let tx = self.db.begin_write()?;
		{
			let mut table = tx.open_table(SENT)?;
			for (id, s) in sent {
				table.insert(*id, s.encode().as_slice())?;
			}
		}
		Ok(tx.commit()?)
	}

	/// The step of task `id` last sent, if its outcome may still be unknown.
	pub fn sent(&self, id: TaskId) -> StoreResult<Option<Sent>> {
		let tx = self.db.begin_read()?;
		let table = tx.open_table(SENT)?;
		let Some(value) = table.get(id)? else { return Ok(None) };
		Ok(Some(Sent::decode(&mut value.value())?))
	}

	/// Marks task `id` done (nothing more to do for it) and forgets what was sent for it.
	pub fn finish(&self, id: TaskId) -> StoreResult<()> {
		let mut record = self.task(id)?.ok_or(StoreError::NoRecord(id))?;
		record.done = true;
		let mut tx = self.db.begin_write()?;
		tx.set_durability(Durability::Eventual);
		{
			tx.open_table(TASKS)?.insert(id, record.encode().as_slice())?;
			tx.open_table(SENT)?.remove(id)?;
		}
		Ok(tx.commit()?)
	}

	/// Makes every record written so far durable: called before a transaction is submitted.
	pub fn sync(&self) -> StoreResult<()> {
		let tx = self.db.begin_write()?;
		Ok(tx.commit()?)
	}

	/// The last block whose events were handled.
	pub fn last_block(&self) -> StoreResult<Option<u32>> {
		let tx = self.db.begin_read()?;
		let table = tx.open_table(META)?;
		Ok(table.get("last_block")?.map(|v| v.value() as u32))
	}

	/// Records that block `number`'s events were handled.
	pub fn set_last_block(&self, number: u32) -> StoreResult<()> {
		let mut tx = self.db.begin_write()?;
		tx.set_durability(Durability::Eventual);
		{
			let mut table = tx.open_table(META)?;
			table.insert("last_block", u64::from(number))?;
		}
		Ok(tx.commit()?)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn records_survive_reopening() {
		let dir = std::env::temp_dir().join(format!("aos-store-{}", std::process::id()));
		let _ = std::fs::remove_dir_all(&dir);
		let evidence = Evidence {
			output: [1; 32],
			top: vec![2, 0],
			samples: vec![2],
			intermediates: vec![(3, -4)],
			salt: [9; 32],
			pow_nonce: 77,
		};
		{
			let store = Store::open(&dir).unwrap();
			assert_eq!(store.task(5).unwrap(), None);
			let record = TaskRecord { evidence: Some(evidence.clone()), ..TaskRecord::claimed(0) };
			store.put_task(5, &record).unwrap();
			store.update_task(5, |r| r.committed = true).unwrap();
			store.put_task(6, &TaskRecord { done: true, ..record }).unwrap();
			store.set_last_block(41).unwrap();
			store.put_sent(&[(5, Sent { step: 2, nonce: 7, block: 40 })]).unwrap();
			store.put_sent(&[(6, Sent { step: 0, nonce: 8, block: 41 })]).unwrap();
			store.finish(6).unwrap();
		}
		let store = Store::open(&dir).unwrap();
		let open = store.open_tasks().unwrap();
		assert_eq!(open.len(), 1);
		assert_eq!(open[0].0, 5);
		assert!(open[0].1.committed);
		assert_eq!(open[0].1.evidence, Some(evidence));
		assert_eq!(store.last_block().unwrap(), Some(41));
		// What was sent is known after a restart: it is not sent twice.
		assert_eq!(store.sent(5).unwrap(), Some(Sent { step: 2, nonce: 7, block: 40 }));
		assert_eq!(store.sent(6).unwrap(), None);
		store.sync().unwrap();
		assert!(matches!(store.update_task(9, |_| ()), Err(StoreError::NoRecord(9))));
		store.watch(12, 70).unwrap();
		store
			.put_watched(13, &WatchRecord { until: 70, done: true, ..Default::default() })
			.unwrap();
		let challenged = WatchRecord { until: 70, challenged: true, ..Default::default() };
		store.put_watched(12, &challenged).unwrap();
		// The same result seen again: its record stays.
		store.watch(12, 70).unwrap();
		assert_eq!(store.open_watches().unwrap(), vec![(12, challenged)]);
		// Task 13's next result: watched afresh.
		store.watch(13, 95).unwrap();
		assert_eq!(
			store.watched(13).unwrap(),
			Some(WatchRecord { until: 95, ..Default::default() })
		);
		store.fail(9, "input: HTTP 404").unwrap();
		let failed = store.task(9).unwrap().unwrap();
		assert!(failed.done);
		assert_eq!(failed.failure.as_deref(), Some("input: HTTP 404"));
		let _ = std::fs::remove_dir_all(&dir);
	}
}
